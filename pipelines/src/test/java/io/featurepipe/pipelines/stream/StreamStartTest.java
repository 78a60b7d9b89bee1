package io.featurepipe.pipelines.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.ingest.kafka.ReadKafka;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Where a stream starts writing: bootstrapped from files it owns exactly the window ends from the
 * first multiple of each group's hop at or after S; without bootstrap, from S + longest window + a
 * hop. And the source overrides it reads with.
 */
class StreamStartTest {
  static final FeatureRepository REPO = load();

  static FeatureRepository load() {
    try {
      return RepositoryLoader.load(Path.of("../feature-defs/payments"));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static long at(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  @Test
  void aBootstrappedStreamOwnsFromTheFirstWindowEndAtOrAfterItsStart() {
    FeatureGroupDef spend = REPO.group("user_spend");        // 1h hop, 7d longest window
    FeatureGroupDef affinity = REPO.group("user_merchant_affinity");   // 1d hop, 14d
    StreamStart midnight = StreamStart.bootstrapped(Instant.parse("2026-01-14T00:00:00Z"));
    assertEquals(Instant.parse("2026-01-06T23:00:00Z"), midnight.readSince(spend));
    assertEquals(at("2026-01-14T00:00:00Z"), midnight.firstOwnedWindowEnd(REPO, spend));
    assertEquals(Instant.parse("2025-12-30T00:00:00Z"), midnight.readSince(affinity));
    assertEquals(at("2026-01-14T00:00:00Z"), midnight.firstOwnedWindowEnd(REPO, affinity));
    assertEquals(Instant.parse("2025-12-30T00:00:00Z"), midnight.bootstrapFrom(List.of(spend, affinity)));
    assertEquals(LocalDate.of(2026, 1, 13), midnight.lastBootstrapDay());

    StreamStart midHour = StreamStart.bootstrapped(Instant.parse("2026-01-14T10:30:00Z"));
    assertEquals(at("2026-01-14T11:00:00Z"), midHour.firstOwnedWindowEnd(REPO, spend));
    assertEquals(at("2026-01-15T00:00:00Z"), midHour.firstOwnedWindowEnd(REPO, affinity));
    assertEquals(LocalDate.of(2026, 1, 14), midHour.lastBootstrapDay());
    // at every start minute of a day, the first owned window end is the first hop end at or after S
    for (long s = at("2026-01-14T00:00:00Z"); s < at("2026-01-15T00:00:00Z"); s += 60_000L) {
      long own = StreamStart.bootstrapped(Instant.ofEpochMilli(s)).firstOwnedWindowEnd(REPO, spend);
      assertTrue(own >= s && own - s < 3_600_000L && own % 3_600_000L == 0, Instant.ofEpochMilli(s).toString());
    }
  }

  @Test
  void aPlainStreamOwnsFromItsStartPlusTheLongestWindowAndAHop() {
    StreamStart s = StreamStart.of(Instant.parse("2026-01-14T00:00:00Z"));
    assertEquals(Instant.parse("2026-01-14T00:00:00Z"), s.readSince(REPO.group("user_spend")));
    assertEquals(at("2026-01-21T01:00:00Z"), s.firstOwnedWindowEnd(REPO, REPO.group("user_spend")));
    assertEquals(at("2026-01-29T00:00:00Z"), s.firstOwnedWindowEnd(REPO, REPO.group("user_merchant_affinity")));
  }

  @Test
  void inputsOverrideTheDefinitionsAndRefuseContradictions() {
    StreamInputs in =
        StreamInputs.defaults()
            .withKafkaBootstrap("broker:9092")
            .withStart(ReadKafka.Start.EARLIEST)
            .withTopic("payments", "payments-replay")
            .withMaxRecords("payments", 10);
    assertEquals(Map.of("payments", "payments-replay"), in.topics());
    assertEquals(Map.of("payments", 10L), in.maxRecords());
    IllegalArgumentException both =
        assertThrows(IllegalArgumentException.class, () -> in.withStopTime(Instant.parse("2026-01-15T00:00:00Z")));
    assertEquals("give a number of records or a stop time, not both", both.getMessage());
    assertThrows(IllegalArgumentException.class, () -> StreamInputs.defaults().withMaxRecords("payments", 0));
    IllegalArgumentException offline =
        assertThrows(IllegalArgumentException.class,
            () -> StreamFeatures.Spec.of(REPO, io.featurepipe.sinks.online.BigtableTarget.parse("p/i/t"),
                StreamStart.of(Instant.EPOCH), "dl").withGroups(List.of("nope")));
    assertTrue(offline.getMessage().contains("nope"), offline.getMessage());
  }
}
