package io.featurepipe.pipelines.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.SourceRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay file names the source's glob matches, and lines that read back to the same record. */
class ReplayFilesTest {
  static final LocalDate DAY = LocalDate.of(2026, 1, 8);

  static SourceDef payments(Path dir, String path) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("sources.yaml"), String.join("\n",
        "kind: source", "name: logins", "format: csv", "timestamp: event_time", "timestamp_format: epoch_millis",
        "fields:", "  - {name: event_time, type: timestamp, required: true}", "  - {name: user_id, type: string, required: true}",
        "  - {name: note, type: string}", "  - {name: n, type: int}", "  - {name: ok, type: bool}",
        "csv: {header: true, delimiter: \";\"}", "bounded: {path: \"" + path + "\"}", ""));
    return RepositoryLoader.load(dir).source("logins");
  }

  @Test
  void aWildcardInTheFileNameBecomesTheReplayToken(@TempDir Path dir) throws Exception {
    SourceDef s = payments(dir.resolve("a"), "logins/{date}*.csv");
    assertEquals("/data/logins/2026-01-08-replay-ab12.csv", ReplayFiles.path(s, "/data", DAY, "ab12", false));
    SourceDef t = payments(dir.resolve("b"), "logins/day-{date}/*.csv.gz");
    assertEquals("/data/logins/day-2026-01-08/replay-ab12.csv.gz", ReplayFiles.path(t, "/data", DAY, "ab12", false));
  }

  @Test
  void aPathWithoutAWildcardNeedsAnotherRoot(@TempDir Path dir) throws Exception {
    SourceDef s = payments(dir, "logins/{date}.csv");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ReplayFiles.path(s, "/data", DAY, "ab12", false));
    assertTrue(e.getMessage().contains("'logins/{date}*.csv'"), e.getMessage());
    assertEquals("/replayed/logins/2026-01-08.csv", ReplayFiles.path(s, "/replayed", DAY, "ab12", true));
  }

  @Test
  void csvLinesWithQuotesDelimitersAndEpochMillisReadBackTheSame(@TempDir Path dir) throws Exception {
    SourceDef s = payments(dir, "logins/{date}*.csv");
    SourceLines lines = new SourceLines(s);
    assertEquals("event_time;user_id;note;n;ok", lines.header());
    SourceRecord r = new SourceRecord("logins", 1_767_830_400_123_000_000L,
        new Object[] {1_767_830_400_123_000_000L, "u;1", "say \"hi\"", 42L, null}, "");
    String line = lines.line(r);
    assertEquals("1767830400123;u;1;\"say \"\"hi\"\"\";42;", line.replace("\"u;1\"", "u;1"));
    SourceRecord back = new RecordDecoder(s).fromCsv(line, List.of(lines.header().split(";")), "");
    assertEquals(r.eventTimeNanos(), back.eventTimeNanos());
    assertTrue(Arrays.deepEquals(r.values(), back.values()), Arrays.deepToString(back.values()));
  }
}
