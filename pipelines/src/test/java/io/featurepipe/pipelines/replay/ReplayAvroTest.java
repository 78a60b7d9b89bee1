package io.featurepipe.pipelines.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.backfill.Backfill;
import io.featurepipe.pipelines.replay.ReplayResult.Outcome;
import io.featurepipe.pipelines.replay.ReplayResult.Verdict;
import io.featurepipe.sinks.deadletter.WriteDeadLetters;
import io.featurepipe.sinks.offline.OfflineStore;
import io.featurepipe.transforms.decode.SourceSchemas;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.FeatureRow;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dead letters of an Avro file source, end to end: a backfill dead-letters a record without a user
 * (payload fixed, then replayed into an Avro replay file the source's path matches), one without a
 * page while the page was required (the definition is fixed: still in its file, not written), and
 * one left broken; a backfill rerun of the date reads the replay file with the original and counts
 * every record once (a sum and a count per user).
 */
class ReplayAvroTest {
  static final LocalDate DAY = LocalDate.of(2026, 1, 8);

  static String defs(boolean fixed) {
    return """
        kind: source
        name: clicks
        format: avro
        timestamp: ts
        timestamp_format: iso8601
        fields:
          - {name: ts, type: timestamp, required: true}
          - {name: user, type: string, required: true}
          - {name: n, type: int}
          - {name: page, type: string}
        bounded: {path: "clicks/{date}*.avro"}
        ---
        kind: entity
        name: user
        keys: [{name: user, type: string}]
        ---
        kind: feature_group
        name: user_clicks
        entity: user
        source: clicks
        keys: {user: user}
        derive: {per: "%s"}
        hop: 1h
        ttl: 1d
        features:
          - {name: n_sum, agg: sum, column: n, window: 1d}
          - {name: per_max, agg: max, column: per, window: 1d}
          - {name: clicks_1d, agg: count, window: 1d}
        """.formatted(fixed ? "n == 0 ? 0 : 600 / n" : "600 / n");
  }

  /** The writer schema of the day's file: ts as text. */
  static final Schema FILE =
      new Schema.Parser()
          .parse(
              """
              {"type":"record","name":"Click","fields":[
                {"name":"ts","type":"string"},
                {"name":"user","type":"string"},
                {"name":"n","type":"long"},
                {"name":"page","type":["null","string"]}]}
              """);

  static final long T0 = DAY.atStartOfDay(java.time.ZoneOffset.UTC).toEpochSecond() * 1_000_000L;

  @Test
  void fixedAvroRecordsAreReplayedIntoAnAvroFileABackfillRerunReads(@TempDir Path dir) throws Exception {
    FeatureRepository before = RepositoryLoader.load(Map.of("d.yaml", defs(false)));
    FeatureRepository fixed = RepositoryLoader.load(Map.of("d.yaml", defs(true)));
    Path data = dir.resolve("data");
    Path file = data.resolve("clicks/" + DAY + "-a.avro");
    Files.createDirectories(file.getParent());
    try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(FILE))) {
      w.create(FILE, file.toFile());
      w.append(click(DAY + "T01:00:00.000123Z", "u1", 1, "/a"));
      w.append(click("soon", "u2", 20, "/b")); // fixed in the dead letter
      w.append(click(DAY + "T02:00:00Z", "u3", 0, null)); // 600 / 0 fails until the definition is fixed
      w.append(click("never", "u4", 4000, "/d")); // left broken
    }
    Path offline = dir.resolve("offline");
    assertEquals(Map.of("[u1]", "1/1"), sums(backfill(before, data, offline, "first")));

    List<String> letters = new ArrayList<>();
    for (DeadLetterFiles.Entry e :
        DeadLetterFiles.read(DeadLetterFiles.match(List.of(offline.resolve("_dead_letters/run-first/*").toString())))) {
      DeadLetter d = e.letter();
      if (d.origin().endsWith("#2")) {
        d = new DeadLetter(d.source(), d.step(), d.reason(), d.payload().replace("soon", DAY + "T02:00:00Z"), d.origin());
      }
      letters.add(WriteDeadLetters.toJson(d));
    }
    letters.sort(null);
    assertEquals(3, letters.size(), String.join("\n", letters));
    assertTrue(String.join("\n", letters).contains(file.toAbsolutePath() + "#2"), letters.toString());
    Path lettersFile = dir.resolve("letters/fixed/dead-letters.jsonl");
    Files.createDirectories(lettersFile.getParent());
    Files.write(lettersFile, letters);

    Replay replay = Replay.of(fixed, List.of(lettersFile.toString())).withDataRoot(data.toString());
    ReplayResult result = replay.run();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    result.print(new PrintStream(printed, true, StandardCharsets.UTF_8));
    String report = printed.toString(StandardCharsets.UTF_8);
    assertEquals(1, result.count(Verdict.REPLAYED), report);
    assertEquals(1, result.count(Verdict.RERUN), report);
    assertEquals(1, result.count(Verdict.FAILED), report);
    Outcome rerun = result.outcomes().stream().filter(o -> o.verdict() == Verdict.RERUN).findFirst().orElseThrow();
    assertTrue(rerun.original().origin().endsWith("#3"), rerun.original().origin());
    assertTrue(rerun.original().step().startsWith("PrepareGroups/"), rerun.original().step());
    assertTrue(rerun.newReason().startsWith("not replayed: passes now and is unchanged and still at "), report);
    assertEquals(Map.of("clicks", Map.of(DAY, 2L)), result.rerunDates(), report);

    Path replayFile = data.resolve("clicks/" + DAY + "-replay-" + result.replayId() + ".avro");
    assertEquals(List.of(replayFile.toAbsolutePath().normalize().toString()), List.copyOf(result.avroFiles().keySet()));
    try (DataFileReader<GenericRecord> r = new DataFileReader<>(replayFile.toFile(), new GenericDatumReader<>())) {
      assertEquals(SourceSchemas.of(fixed.source("clicks")), r.getSchema());
      GenericRecord only = r.next();
      assertEquals("u2", only.get("user").toString());
      assertEquals(T0 + 7_200_000_000L, only.get("ts"));
      assertEquals(20L, only.get("n"));
      assertTrue(!r.hasNext());
    }

    // the rerun reads the replay file beside the original: u2 once, u3 once (from the original)
    assertEquals(Map.of("[u1]", "1/1", "[u2]", "20/1", "[u3]", "0/1"), sums(backfill(fixed, data, offline, "second")));

    // replaying the same letters again replaces the replay file
    assertEquals(result.replayId(), replay.run().replayId());
    try (Stream<Path> s = Files.list(data.resolve("clicks"))) {
      assertEquals(2, s.count());
    }
  }

  static GenericRecord click(String ts, String user, long n, String page) {
    GenericRecord r = new GenericData.Record(FILE);
    r.put("ts", ts);
    r.put("user", user);
    r.put("n", n);
    r.put("page", page);
    return r;
  }

  /** The n_sum and clicks_1d ({@code sum/count}) of each user key at the day's last window end. */
  static Map<String, String> sums(List<FeatureRow> rows) {
    Map<String, FeatureRow> last = new TreeMap<>();
    for (FeatureRow r : rows) {
      last.merge(r.key().toString(), r, (a, b) -> a.windowEndMillis() >= b.windowEndMillis() ? a : b);
    }
    Map<String, String> out = new TreeMap<>();
    last.forEach((k, r) -> out.put(k, ((Number) r.values()[0]).longValue() + "/" + r.values()[2]));
    return out;
  }

  static List<FeatureRow> backfill(FeatureRepository repo, Path data, Path offline, String run) throws Exception {
    DirectOptions options = PipelineOptionsFactory.as(DirectOptions.class);
    options.setRunner(DirectRunner.class);
    Pipeline p = Pipeline.create(options);
    Backfill.build(p, new Backfill.Spec(repo, data.toString(), DAY, DAY, List.of("user_clicks"), offline.toString(), run, null));
    p.run().waitUntilFinish();
    return new OfflineStore(repo, offline.toString()).rows("user_clicks", DAY);
  }
}
