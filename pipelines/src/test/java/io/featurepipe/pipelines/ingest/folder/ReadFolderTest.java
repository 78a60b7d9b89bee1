package io.featurepipe.pipelines.ingest.folder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.ingest.Decoded;
import io.featurepipe.pipelines.ingest.ReadStream;
import io.featurepipe.transforms.decode.PayloadDecoder;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.testing.Collected;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watched folder: files are picked up as they appear, in name order, lines decoded with event
 * times; the watermark trails the largest event time by the delay; a checkpoint resumes mid-file.
 */
class ReadFolderTest {

  static final String DEF =
      """
      kind: source
      name: logins
      format: csv
      timestamp: ts
      timestamp_format: epoch_millis
      fields:
        - {name: ts, type: timestamp, required: true}
        - {name: user, type: string, required: true}
      bounded: {path: "logins/*.csv"}
      unbounded: {folder: {path: "incoming", poll_interval: 1ms}}
      watermark_delay: 1m
      """;

  static SourceDef source() throws Exception {
    return RepositoryLoader.load(Map.of("s.yaml", DEF)).source("logins");
  }

  static FolderSource folderSource(Path dir) throws Exception {
    SourceDef s = source();
    // poll interval 0: every advance that finds nothing to read lists the folder again
    return new FolderSource(dir.toString(), Duration.ZERO, Duration.standardMinutes(1), PayloadDecoder.of(s, null), true);
  }

  /** Reads what is there now: the elements, or dead-letter reasons, as text. */
  static List<String> drain(FolderReader reader, boolean started) throws Exception {
    List<String> out = new ArrayList<>();
    boolean more = started ? reader.advance() : reader.start();
    while (more) {
      Decoded d = reader.getCurrent();
      out.add(d.record() != null
          ? d.record().value(1) + "@" + reader.getCurrentTimestamp().getMillis()
          : "dead:" + d.deadLetter().reason() + "@" + reader.getCurrentTimestamp().getMillis());
      more = reader.advance();
    }
    return out;
  }

  @Test
  void picksUpFilesAsTheyAppearWithAWatermarkTrailingEventTimes(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("b.csv"), "ts,user\n5000000,b1\n");
    Files.writeString(dir.resolve("a.csv"), "ts,user\n1000000,a1\n9000000,a2\n2000000,a3\n");
    Files.writeString(dir.resolve(".hidden.csv"), "ts,user\n1,h\n");
    Files.writeString(dir.resolve("_writing.csv"), "ts,user\n1,w\n");
    FolderReader reader = folderSource(dir).createReader(PipelineOptionsFactory.create(), null);
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, reader.getWatermark());
    assertEquals(List.of("a1@1000000", "a2@9000000", "a3@2000000", "b1@5000000"), drain(reader, false));
    assertEquals(new Instant(9_000_000 - 60_000), reader.getWatermark());

    Files.writeString(dir.resolve("c.csv"), "ts,user\n12000000,c1\nyesterday,c2\n");
    assertEquals(List.of("c1@12000000", "dead:field 'ts': 'yesterday' is not an integer epoch timestamp@12000000"),
        drain(reader, true));
    assertEquals(new Instant(12_000_000 - 60_000), reader.getWatermark());
    assertFalse(reader.advance());
    reader.close();
  }

  @Test
  void aCheckpointResumesInTheMiddleOfAFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.csv"), "ts,user\n1000000,a1\n2000000,a2\n3000000,a3\n");
    FolderSource source = folderSource(dir);
    FolderReader reader = source.createReader(PipelineOptionsFactory.create(), null);
    assertTrue(reader.start());
    assertTrue(reader.advance());
    FolderCheckpoint mark = reader.getCheckpointMark();
    reader.close();
    FolderCheckpoint copy = CoderUtils.clone(source.getCheckpointMarkCoder(), mark);
    assertEquals(mark, copy);
    FolderReader resumed = source.createReader(PipelineOptionsFactory.create(), copy);
    assertEquals(List.of("a3@3000000"), drain(resumed, false));
    assertEquals(new Instant(3_000_000 - 60_000), resumed.getWatermark());
  }

  @Test
  void readStreamReadsTheFolderThroughThePipeline(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("incoming"));
    Files.writeString(dir.resolve("incoming/a.csv"), "ts,user\n1000000,a1\n2000000,\n");
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    PCollectionTuple read = p.apply(ReadStream.of(source()).withDataRoot(dir.toString()).withMaxRecords(2));
    String box = "folder-" + System.nanoTime();
    read.get(ReadStream.RECORDS).apply("C1", Collected.into(box + "/r"));
    read.get(ReadStream.DEAD_LETTERS).apply("C2", Collected.into(box + "/d"));
    p.run().waitUntilFinish();
    List<SourceRecord> records = Collected.get(box + "/r");
    assertEquals(1, records.size());
    assertTrue(records.get(0).origin().endsWith("a.csv:2"), records.get(0).origin());
    List<DeadLetter> dead = Collected.get(box + "/d");
    assertEquals(1, dead.size());
    assertEquals("required field 'user' is missing", dead.get(0).reason());
    assertEquals("ReadFolder/logins", dead.get(0).step());
    assertTrue(dead.get(0).origin().endsWith("a.csv:3"), dead.get(0).origin());
  }
}
