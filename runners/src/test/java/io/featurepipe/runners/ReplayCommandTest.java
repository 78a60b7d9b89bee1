package io.featurepipe.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.sinks.deadletter.WriteDeadLetters;
import io.featurepipe.transforms.record.DeadLetter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code featurepipe replay}'s exit code tells a scheduler whether a backfill rerun must follow: 3
 * when records pass now and sit where a backfill reads them (a replay file here), with the dates
 * printed; 0 when nothing passes that a backfill must read.
 */
class ReplayCommandTest {
  static final String LINE =
      "{\"txn_id\":\"%s\",\"event_time\":\"2026-01-08T10:00:00.123456Z\",\"user_id\":\"u0091\","
          + "\"card_id\":\"US152927\",\"merchant_id\":\"m002\",\"merchant_category\":\"digital\","
          + "\"amount\":12.5,\"currency\":\"EUR\",\"country\":\"US\",\"channel\":\"web\",\"is_fraud\":false}";

  @Test
  void exitsWithThreeWhenABackfillRerunMustReadReplayedRecords(@TempDir Path dir) throws Exception {
    Path defs = dir.resolve("defs");
    Files.createDirectories(defs);
    try (Stream<Path> s = Files.list(Path.of("../feature-defs/payments"))) {
      for (Path f : s.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        Files.writeString(defs.resolve(f.getFileName()),
            Files.readString(f).replace("\"payments/{date}.jsonl\"", "\"payments/{date}*.jsonl\""));
      }
    }
    Path data = dir.resolve("data");
    Path day = data.resolve("payments/2026-01-08.jsonl");
    Files.createDirectories(day.getParent());
    Files.writeString(day, LINE.formatted("t-1").replace("12.5", "\"12,5\"") + "\n");
    Path fixed = dir.resolve("letters/run-1/dead-letters.jsonl");
    Path gone = dir.resolve("letters/run-2/dead-letters.jsonl");
    Files.createDirectories(fixed.getParent());
    Files.createDirectories(gone.getParent());
    Files.writeString(fixed, WriteDeadLetters.toJson(new DeadLetter("payments", "ReadSourceFiles/payments",
        "field 'amount' is '12,5', not a number", LINE.formatted("t-1"), day.toAbsolutePath() + ":1")) + "\n");
    Files.writeString(gone, WriteDeadLetters.toJson(new DeadLetter("refunds", "ReadSourceFiles/refunds",
        "bad", "{}", "refunds/x.jsonl:1")) + "\n");

    CliRun replayed = CliRun.of("replay", defs.toString(), "--dead-letters", fixed.toString(), "--data-root", data.toString());
    assertEquals(3, replayed.exitCode(), replayed.out() + replayed.err());
    assertTrue(replayed.out().contains("backfill rerun needed"), replayed.out());
    assertTrue(replayed.out().contains("source payments  2026-01-08  1 records"), replayed.out());

    CliRun nothing = CliRun.of("replay", defs.toString(), "--dead-letters", gone.toString(), "--data-root", data.toString());
    assertEquals(0, nothing.exitCode(), nothing.out() + nothing.err());
    assertTrue(nothing.out().contains("no backfill rerun needed"), nothing.out());
  }
}
