package io.featurepipe.pipelines.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.replay.ReplayResult.Outcome;
import io.featurepipe.pipelines.replay.ReplayResult.Verdict;
import io.featurepipe.sinks.deadletter.WriteDeadLetters;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.DeadLetter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Letters of the record checks ({@code CheckRecords/<source>}: {@code amount} within 0..100000 for
 * the sample's payments) whose payloads were edited: the edit is held back only when the record at
 * the origin passes the checks now (a rerun reads it; both would count), and written when the
 * original still fails them.
 */
class ReplayCheckedRecordsTest {
  @Test
  void anEditIsHeldBackOnlyWhenTheOriginalPassesTheChecksNow(@TempDir Path dir) throws Exception {
    FeatureRepository repo = RepositoryLoader.load(ReplayTest.copyDefinitions(dir.resolve("defs")));
    List<String> day = Files.readAllLines(ReplayTest.DATA.resolve(ReplayTest.DAY + ".jsonl")).subList(0, 2);
    String passing = day.get(0);
    String failing = day.get(1).replaceFirst("\"amount\":[^,]*,", "\"amount\":250000.0,");
    Path data = dir.resolve("data");
    Files.createDirectories(data.resolve("payments"));
    Path file = data.resolve("payments/" + ReplayTest.DAY + ".jsonl");
    Files.write(file, List.of(passing, failing));
    String origin = file.toAbsolutePath().normalize().toString();

    Path letters = dir.resolve("letters/run-1/dead-letters.jsonl");
    Files.createDirectories(letters.getParent());
    Files.write(letters, List.of(
        letter(passing.replaceFirst("\"amount\":[^,]*,", "\"amount\":12.5,"), origin + ":1"),
        letter(failing.replaceFirst("\"amount\":[^,]*,", "\"amount\":150.0,"), origin + ":2")));

    ReplayResult r = Replay.of(repo, List.of(letters.toString())).withDataRoot(data.toString()).withDryRun(true).run();
    Outcome first = at(r, origin + ":1");
    assertEquals(Verdict.RERUN, first.verdict(), first.newReason());
    assertTrue(first.newReason().startsWith("not replayed: its edited payload was not written: the record at "), first.newReason());
    Outcome second = at(r, origin + ":2");
    assertEquals(Verdict.REPLAYED, second.verdict(), second.newReason());
  }

  private static String letter(String payload, String origin) {
    return WriteDeadLetters.toJson(
        new DeadLetter("payments", "CheckRecords/payments", "field 'amount': out of range (as if)", payload, origin));
  }

  private static Outcome at(ReplayResult r, String origin) {
    return r.outcomes().stream().filter(o -> o.original().origin().equals(origin)).findFirst().orElseThrow();
  }
}
