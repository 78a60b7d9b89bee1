package io.featurepipe.sinks.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Offline partitions: what is written, what is published, and what a blocked gate leaves. */
class WriteOfflineTest {
  @RegisterExtension final transient TestPipelineExtension ext = TestPipelineExtension.create();

  static FeatureRepository repo;
  static final LocalDate D1 = LocalDate.of(2026, 1, 8);
  static final LocalDate D2 = LocalDate.of(2026, 1, 9);

  @BeforeAll
  static void load(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("defs.yaml"),
        """
        kind: source
        name: s
        format: jsonl
        timestamp: ts
        timestamp_format: iso8601
        fields:
          - {name: ts, type: timestamp, required: true}
          - {name: k, type: string, required: true}
          - {name: x, type: double}
        bounded: {path: "s/{date}.jsonl"}
        ---
        kind: entity
        name: e
        keys: [{name: k, type: string}]
        ---
        kind: feature_group
        name: g
        entity: e
        source: s
        keys: {k: k}
        hop: 1h
        features:
          - {name: n, agg: count, window: 1h}
          - {name: total, agg: sum, column: x, window: 2h}
          - {name: last_xs, agg: last_k(2), column: x, window: 2h}
        """);
    repo = RepositoryLoader.load(dir);
  }

  static FeatureRow row(String key, LocalDate day, int hour, long n, double total, boolean empty) {
    long e = OfflineLayout.startOf(day) + hour * 3_600_000L;
    return new FeatureRow(
        "g", repo.group("g").version(), List.of(key), e,
        new Object[] {n, total, List.of(total)}, empty, new BitSet(), false, 1);
  }

  static List<FeatureRow> rows() {
    List<FeatureRow> rows = new ArrayList<>();
    rows.add(row("a", D1.minusDays(1), 23, 9, 9.0, false)); // before the range: not written
    rows.add(row("a", D1, 0, 1, 1.5, false));
    rows.add(row("a", D1, 1, 0, 1.5, false));
    rows.add(row("a", D1, 2, 0, 0.0, true)); // the explicit empty: not stored
    rows.add(row("b", D1, 5, 2, -3.0, false));
    rows.add(row("a", D2.plusDays(1), 0, 4, 4.0, false)); // after the range: not written
    return rows;
  }

  @Test
  void publishesEveryDayOfTheRangeWithTheRowsOfThatDayOnly(TestPipeline p, @TempDir Path dir) throws Exception {
    p.apply(Create.of(rows()).withCoder(FeatureRow.Coder.of()))
        .apply(WriteOffline.of(repo, dir.toString(), "r1", List.of("g"), D1, D2));
    p.run().waitUntilFinish();

    OfflineStore store = new OfflineStore(repo, dir.toString());
    List<FeatureRow> day1 = store.rows("g", D1);
    assertEquals(3, day1.size());
    assertTrue(
        day1.stream().anyMatch(r -> r.key().equals(List.of("b")) && Arrays.deepEquals(r.values(), new Object[] {2L, -3.0, List.of(-3.0)})),
        day1.toString());
    assertEquals(List.of(), store.publication("g", D2).files(), "an empty day is published with no file");
    assertEquals(0, store.publication("g", D2).rows());
    assertNull(store.publication("g", D1.minusDays(1)));
    assertNull(store.publication("g", D2.plusDays(1)));
  }

  @Test
  void aBlockedGatePublishesNothingAndRemovesItsFiles(TestPipeline p, @TempDir Path dir) throws Exception {
    PCollection<String> blockers = p.apply("Blockers", Create.of("amount: 12% out of range").withCoder(StringUtf8Coder.of()));
    p.apply(Create.of(rows()).withCoder(FeatureRow.Coder.of()))
        .apply(WriteOffline.of(repo, dir.toString(), "r2", List.of("g"), D1, D2).withGate(blockers));
    p.run().waitUntilFinish();

    OfflineStore store = new OfflineStore(repo, dir.toString());
    assertNull(store.publication("g", D1));
    try (Stream<Path> files = Files.walk(dir)) {
      assertEquals(
          List.of(), files.filter(f -> f.toString().endsWith(".avro")).toList(), "no data file is left");
    }
  }

  @Test
  void aGateWithNoReasonToBlockPublishesEveryDay(TestPipeline p, @TempDir Path dir) throws Exception {
    PCollection<String> none = p.apply("NoBlockers", Create.empty(StringUtf8Coder.of()));
    p.apply(Create.of(rows()).withCoder(FeatureRow.Coder.of()))
        .apply(WriteOffline.of(repo, dir.toString(), "r3", List.of("g"), D1, D2).withGate(none));
    p.run().waitUntilFinish();

    OfflineStore store = new OfflineStore(repo, dir.toString());
    assertEquals("r3", store.publication("g", D1).runId());
    assertTrue(store.publication("g", D1).rows() > 0);
    assertEquals("r3", store.publication("g", D2).runId());
  }
}
