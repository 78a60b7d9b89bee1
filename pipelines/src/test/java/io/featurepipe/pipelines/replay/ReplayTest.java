package io.featurepipe.pipelines.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.backfill.Backfill;
import io.featurepipe.pipelines.replay.ReplayResult.Verdict;
import io.featurepipe.sinks.deadletter.WriteDeadLetters;
import io.featurepipe.sinks.offline.OfflineLayout;
import io.featurepipe.sinks.offline.OfflineStore;
import io.featurepipe.transforms.reference.ReferenceFeatures;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dead-letter replay end to end on the sample: a few payments are corrupted, a backfill dead-letters
 * them, their payloads are fixed in the dead-letter file, the replay writes them to a replay file
 * the source's path matches, and a rerun of the backfill publishes exactly the rows a
 * brute-force reference gives for the uncorrupted data (minus the records left broken). Records still in their input, still
 * broken, or rejected by only some groups are not replayed and are counted by reason.
 */
class ReplayTest {
  static final Path DEFS = Path.of("../feature-defs/payments");
  static final Path DATA = Path.of("../test-data/sample/payments");
  static final LocalDate DAY = LocalDate.of(2026, 1, 8);
  static final String GROUP = "user_spend";
  static final String BROKEN = "\"event_time\":\"2026-01-08 T";
  static final String GOOD = "\"event_time\":\"2026-01-08T";

  @Test
  void fixedDeadLettersReplayedIntoFilesAreInTheFeaturesOfARerun(@TempDir Path dir) throws Exception {
    FeatureRepository repo = RepositoryLoader.load(copyDefinitions(dir.resolve("defs")));
    // the first 300 lines of the day (its first hours): enough keys and windows, a quick backfill
    List<String> day = Files.readAllLines(DATA.resolve(DAY + ".jsonl")).subList(0, 300);
    List<Integer> picked = new ArrayList<>(); // line indexes of 4 valid payments of the day
    for (int i = 0; i < day.size() && picked.size() < 4; i++) {
      if (day.get(i).contains(GOOD) && day.get(i).contains("\"amount\":") && i % 67 == 13) {
        picked.add(i);
      }
    }
    assertEquals(4, picked.size());

    // the reference: the day's valid payments without the two that stay broken
    List<String> cleanDay = new ArrayList<>(day);
    cleanDay.remove((int) picked.get(3));
    cleanDay.remove((int) picked.get(2));
    Map<String, String> expected = reference(repo, cleanDay);

    // the corrupted data and its backfill's dead letters
    Path data = dir.resolve("data");
    Files.createDirectories(data.resolve("payments"));
    List<String> corrupted = new ArrayList<>(day);
    for (int i : picked) {
      corrupted.set(i, corrupted.get(i).replace(GOOD, BROKEN));
    }
    Files.write(data.resolve("payments/" + DAY + ".jsonl"), corrupted);
    Path offline = dir.resolve("offline");
    Map<String, String> before = backfill(repo, data, offline, "first");
    assertNotEquals(expected, before, "the corrupted payments are missing from the first run");

    // fix two payloads, break one differently, leave one as it was
    Path letters = offline.resolve("_dead_letters/run-first");
    List<String> fixed = new ArrayList<>();
    int seen = 0;
    for (DeadLetterFiles.Entry e : DeadLetterFiles.read(DeadLetterFiles.match(List.of(letters + "/*")))) {
      DeadLetter d = e.letter();
      if (d.payload().contains(BROKEN)) {
        seen++;
        String payload = d.payload().replace(BROKEN, GOOD);
        if (d.origin().equals(origin(data, picked.get(2)))) {
          payload = payload.replaceFirst("\"amount\":[^,]*,", "\"amount\":\"12,50\",");
        }
        if (!d.origin().equals(origin(data, picked.get(3)))) {
          d = new DeadLetter(d.source(), d.step(), d.reason(), payload, d.origin());
        }
      }
      fixed.add(WriteDeadLetters.toJson(d));
    }
    assertEquals(4, seen, "one dead letter per corrupted payment");
    // a valid payment as if a definition fix let it pass: still in its file, so not replayed
    int valid = picked.get(0) + 1;
    fixed.add(WriteDeadLetters.toJson(new DeadLetter("payments", "ReadSourceFiles/payments",
        "as if the definition had refused it", corrupted.get(valid), origin(data, valid))));
    // a valid payment as if a definition fix let it pass, whose payload was also edited: a rerun
    // reads the line in the file, so the edit is not written (both would count)
    int edited = picked.get(1) + 1;
    while (!corrupted.get(edited).contains("\"amount\":") || picked.contains(edited)) {
      edited++;
    }
    String editedPayload = corrupted.get(edited).replaceFirst("\"amount\":[^,]*,", "\"amount\":1234.5,");
    assertNotEquals(corrupted.get(edited), editedPayload);
    fixed.add(WriteDeadLetters.toJson(new DeadLetter("payments", "ReadSourceFiles/payments",
        "as if the definition had refused it", editedPayload, origin(data, edited))));
    Path fixedFile = dir.resolve("letters/fixed/dead-letters.jsonl");
    Files.createDirectories(fixedFile.getParent());
    Files.write(fixedFile, fixed);

    Replay replay = Replay.of(repo, List.of(fixedFile.toString())).withDataRoot(data.toString());
    ReplayResult dry = replay.withDryRun(true).run();
    assertEquals(2, dry.count(Verdict.REPLAYED));
    try (Stream<Path> s = Files.list(data.resolve("payments"))) {
      assertEquals(1, s.count(), "a dry run writes nothing");
    }

    ReplayResult result = replay.run();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    result.print(new PrintStream(printed, true, StandardCharsets.UTF_8));
    String report = printed.toString(StandardCharsets.UTF_8);
    assertEquals(2, result.count(Verdict.REPLAYED), report);
    assertEquals(2, result.count(Verdict.RERUN), report);
    assertTrue(reasonAt(result, origin(data, valid)).startsWith("not replayed: passes now and is unchanged and still at "), report);
    assertTrue(reasonAt(result, origin(data, edited)).startsWith("not replayed: its edited payload was not written: the record at "
        + origin(data, edited) + " passes now too and a backfill rerun of " + DAY + " reads it"), report);
    assertEquals(0, result.count(Verdict.NOT_REPLAYED), report);
    assertEquals(Map.of("payments", Map.of(DAY, 4L)), result.rerunDates(), "two replayed, two in their file");
    assertTrue(report.contains("source payments  " + DAY + "  4 records"), report);
    // the sample's own malformed lines of the day and the two left broken still fail
    assertEquals(result.outcomes().size() - 4, result.count(Verdict.FAILED), report);
    assertEquals("field 'amount' is '12,50', not a number", reasonAt(result, origin(data, picked.get(2))));
    assertTrue(reasonAt(result, origin(data, picked.get(3))).startsWith("field 'event_time': '2026-01-08 T"));
    assertEquals(result.outcomes().size() - 2, result.newDeadLetters().size(), report);
    assertTrue(report.contains("1  field 'amount' is '12,50', not a number"), report);

    String replayFile = "payments/" + DAY + "-replay-" + result.replayId() + ".jsonl";
    assertEquals(List.of(data.resolve(replayFile).toAbsolutePath().normalize().toString()),
        List.copyOf(result.replayFiles().keySet()));
    assertEquals(2, Files.readAllLines(data.resolve(replayFile)).size());
    Path failed = dir.resolve("letters/replay-" + result.replayId() + "/dead-letters.jsonl");
    assertEquals(result.newDeadLetters().size(), Files.readAllLines(failed).size());

    Map<String, String> after = backfill(repo, data, offline, "second");
    assertEquals(expected, after, "the rerun reads the replayed payments beside the originals");

    // replaying the same dead letters again replaces the replay file: nothing is counted twice
    assertEquals(result.replayId(), replay.run().replayId());
    try (Stream<Path> s = Files.list(data.resolve("payments"))) {
      assertEquals(2, s.count());
    }
  }

  static String reasonAt(ReplayResult r, String origin) {
    return r.outcomes().stream().filter(o -> o.original().origin().equals(origin)).findFirst().orElseThrow().newReason();
  }

  static String origin(Path data, int index) {
    return data.resolve("payments/" + DAY + ".jsonl").toAbsolutePath().normalize() + ":" + (index + 1);
  }

  /** The sample definitions, with the payments path matching replay files beside each day's file. */
  static Path copyDefinitions(Path to) throws Exception {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(DEFS)) {
      for (Path f : s.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        Files.writeString(to.resolve(f.getFileName()),
            Files.readString(f).replace("\"payments/{date}.jsonl\"", "\"payments/{date}*.jsonl\""));
      }
    }
    return to;
  }

  /** The rows a brute-force computation over the lines gives for the day's window ends. */
  static Map<String, String> reference(FeatureRepository repo, List<String> lines) {
    RecordDecoder decoder = new RecordDecoder(repo.source("payments"));
    List<SourceRecord> records = new ArrayList<>();
    for (String line : lines) {
      try {
        records.add(decoder.fromJson(line, ""));
      } catch (BadRecordException e) {
        // the sample's malformed lines: dead letters in every run
      }
    }
    long start = OfflineLayout.startOf(DAY);
    long end = OfflineLayout.startOf(DAY.plusDays(1));
    Map<String, String> rows = new TreeMap<>();
    for (ReferenceFeatures.ExpectedRow e : ReferenceFeatures.compute(repo, GROUP, records).rows()) {
      if (!e.empty() && e.windowEndMillis() >= start && e.windowEndMillis() < end) {
        rows.put(e.identity(), Arrays.deepToString(e.values()));
      }
    }
    return rows;
  }

  /** Backfills the day for the group; its published rows by identity. */
  static Map<String, String> backfill(FeatureRepository repo, Path data, Path offline, String run) throws Exception {
    DirectOptions options = PipelineOptionsFactory.as(DirectOptions.class);
    options.setRunner(DirectRunner.class);
    options.setEnforceImmutability(false);
    options.setEnforceEncodability(false);
    Pipeline p = Pipeline.create(options);
    Backfill.build(p, new Backfill.Spec(repo, data.toString(), DAY, DAY, List.of(GROUP), offline.toString(), run, null));
    p.run().waitUntilFinish();
    Map<String, String> rows = new TreeMap<>();
    for (FeatureRow r : new OfflineStore(repo, offline.toString()).rows(GROUP, DAY)) {
      rows.put(r.identity(), Arrays.deepToString(r.values()));
    }
    assertTrue(rows.size() > 50, "rows: " + rows.size());
    return rows;
  }
}
