package io.featurepipe.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.testing.Collected;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every compression Beam knows, chosen by extension: the same lines decode the same way.
 */
class CompressedFilesTest {

  @RegisterExtension final transient TestPipelineExtension pipeline = TestPipelineExtension.create();

  static final String DEF =
      """
      kind: source
      name: pay
      format: jsonl
      timestamp: ts
      timestamp_format: iso8601
      fields:
        - {name: ts, type: timestamp, required: true}
        - {name: user, type: string, required: true}
      bounded: {path: "pay/*"}
      """;

  static final String LINES =
      "{\"ts\":\"2026-01-01T00:00:00Z\",\"user\":\"a\"}\n{\"ts\":\"2026-01-01T00:00:01Z\"}\n";

  @Test
  void readsEveryCompressionByExtension(TestPipeline p, @TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("pay"));
    Map<String, Compression> byExtension = new TreeMap<>();
    byExtension.put("plain.jsonl", Compression.UNCOMPRESSED);
    byExtension.put("f.jsonl.gz", Compression.GZIP);
    byExtension.put("f.jsonl.bz2", Compression.BZIP2);
    byExtension.put("f.jsonl.zst", Compression.ZSTD);
    byExtension.put("f.jsonl.deflate", Compression.DEFLATE);
    // Beam's LZO codecs are aircompressor's, which implement Hadoop's codec interface
    byExtension.put("f.jsonl.lzo", Compression.LZOP);
    byExtension.put("f.jsonl.lzo_deflate", Compression.LZO);
    for (Map.Entry<String, Compression> e : byExtension.entrySet()) {
      try (WritableByteChannel ch =
              e.getValue().writeCompressed(Files.newByteChannel(
                  dir.resolve("pay/" + e.getKey()),
                  java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE));
          OutputStream out = Channels.newOutputStream(ch)) {
        out.write(LINES.getBytes(StandardCharsets.UTF_8));
      }
    }
    // Beam reads raw Snappy with commons-compress, but its writer declares a wrong length
    byte[] lines = LINES.getBytes(StandardCharsets.UTF_8);
    try (OutputStream out =
        new org.apache.commons.compress.compressors.snappy.SnappyCompressorOutputStream(
            Files.newOutputStream(dir.resolve("pay/f.jsonl.snappy")), lines.length)) {
      out.write(lines);
    }
    // Beam reads ZIP archives (the entries, one after the other) but cannot write them
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(dir.resolve("pay/f.jsonl.zip")))) {
      zip.putNextEntry(new ZipEntry("f.jsonl"));
      zip.write(LINES.getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    SourceDef source = RepositoryLoader.load(Map.of("s.yaml", DEF)).source("pay");
    String box = "compressed-" + System.nanoTime();
    PCollectionTuple read = p.apply(ReadSource.of(source, dir.toString(), null, null));
    read.get(ReadSource.RECORDS).apply("C1", Collected.into(box + "/r"));
    read.get(ReadSource.DEAD_LETTERS).apply("C2", Collected.into(box + "/d"));
    p.run().waitUntilFinish();

    Map<String, String> records = new TreeMap<>();
    for (SourceRecord r : Collected.<SourceRecord>get(box + "/r")) {
      records.put(r.origin().replaceAll(".*/", ""), r.value(1) + "@" + r.eventTimeNanos());
    }
    Map<String, String> dead = new TreeMap<>();
    for (DeadLetter d : Collected.<DeadLetter>get(box + "/d")) {
      dead.put(d.origin().replaceAll(".*/", ""), d.reason());
    }
    Map<String, String> expectedRecords = new TreeMap<>();
    Map<String, String> expectedDead = new TreeMap<>();
    for (String file : byExtension.keySet()) {
      expectedRecords.put(file + ":1", "a@1767225600000000000");
      expectedDead.put(file + ":2", "required field 'user' is missing");
    }
    expectedRecords.put("f.jsonl.snappy:1", "a@1767225600000000000");
    expectedDead.put("f.jsonl.snappy:2", "required field 'user' is missing");
    expectedRecords.put("f.jsonl.zip:1", "a@1767225600000000000");
    expectedDead.put("f.jsonl.zip:2", "required field 'user' is missing");
    assertEquals(expectedRecords, records);
    assertEquals(expectedDead, dead);
  }
}
