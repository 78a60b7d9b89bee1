package io.featurepipe.transforms.compute;

import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.time.TimeRules;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A reproducible stream of events for equivalence tests: events with their arrival times (most a
 * little late, some late within the allowed lateness, some far too late), the watermark after
 * each arrival, and which events the time rules call too late.
 */
final class StreamScenario {
  static final long MINUTE = 60_000L;
  static final long HOUR = 60 * MINUTE;
  static final long START = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  static final long WATERMARK_DELAY = 10 * MINUTE;
  static final long ALLOWED_LATENESS = 2 * HOUR;

  static final String YAML =
      """
      kind: source
      name: events
      format: jsonl
      timestamp: ts
      timestamp_format: iso8601
      fields:
        - {name: ts, type: timestamp, required: true}
        - {name: user, type: string, required: true}
        - {name: amount, type: double}
        - {name: item, type: string}
      bounded: {path: "events/{date}.jsonl"}
      watermark_delay: 10m
      allowed_lateness: 2h
      ---
      kind: entity
      name: user
      keys: [{name: user, type: string}]
      ---
      kind: feature_group
      name: activity
      entity: user
      source: events
      keys: {user: user}
      derive:
        big: "amount != null && amount > 50.0"
      hop: 1h
      ttl: 6h
      features:
        - {name: n_1h, agg: count, window: 1h}
        - {name: n_3h, agg: count, window: 3h}
        - {name: spend_3h, agg: sum, column: amount, window: 3h}
        - {name: mean_6h, agg: mean, column: amount}
        - {name: sd_6h, agg: stddev, column: amount}
        - {name: max_1h, agg: max, column: amount, window: 1h}
        - {name: min_3h, agg: min, column: item, window: 3h}
        - {name: first_item, agg: first, column: item}
        - {name: last_item, agg: last, column: item}
        - {name: items_3h, agg: approx_count_distinct, column: item, window: 3h}
        - {name: p50_6h, agg: approx_quantile(0.5), column: amount}
        - {name: top2_3h, agg: top_k(2), column: amount, window: 3h}
        - {name: last3, agg: last_k(3), column: item}
        - {name: big_3h, agg: sum, column: big, window: 3h}
      ---
      kind: feature_group
      name: items
      entity: item
      source: events
      keys: {item: "item == null ? 'none' : item"}
      hop: 2h
      features:
        - {name: buyers_4h, agg: approx_count_distinct, column: user, window: 4h}
        - {name: var_4h, agg: variance, column: amount, window: 4h}
      ---
      kind: entity
      name: item
      keys: [{name: item, type: string}]
      """;

  /** One event and when it reaches the pipeline. */
  record Arrival(SourceRecord record, long arrivalMillis, long watermarkBefore, boolean tooLate) {}

  final List<Arrival> arrivals = new ArrayList<>();

  static FeatureRepository repository() throws Exception {
    return RepositoryLoader.load(Map.of("defs.yaml", YAML));
  }

  /**
   * Builds the scenario: {@code n} events over {@code hours} hours for a few users. Delays: most
   * 0–20 min, about 12% 30–110 min (late but allowed), about 4% 4–6 h (too late).
   */
  static StreamScenario generate(long seed, int n, int hours) {
    return generate(seed, n, hours, 10 * MINUTE);
  }

  /** As {@link #generate(long, int, int)}, advancing the watermark in steps of {@code watermarkStep}. */
  static StreamScenario generate(long seed, int n, int hours, long watermarkStep) {
    Random rnd = new Random(seed);
    String[] users = {"ana", "bo", "cy", "dee", "eli", "fay"};
    String[] items = {"apple", "bread", "cheese", "dates", "eggs", "figs", "grapes", "\uD83C\uDF4Fpear"};
    List<long[]> timing = new ArrayList<>();
    List<SourceRecord> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long ts;
      int kind = rnd.nextInt(10);
      if (kind == 0) {
        ts = START + rnd.nextInt(hours) * HOUR; // exactly on an hour boundary
      } else {
        ts = START + (long) (rnd.nextDouble() * hours * HOUR);
      }
      long nanos = ts * 1_000_000L + rnd.nextInt(1_000_000);
      if (kind == 1 && !records.isEmpty()) {
        nanos = records.get(rnd.nextInt(records.size())).eventTimeNanos(); // an equal timestamp
      }
      Double amount = rnd.nextInt(12) == 0 ? null : Math.round(rnd.nextDouble() * 10000) / 100.0;
      String item = rnd.nextInt(15) == 0 ? null : items[rnd.nextInt(items.length)];
      String user = users[rnd.nextInt(users.length)];
      records.add(new SourceRecord("events", nanos, new Object[] {nanos, user, amount, item}, "scenario:" + i));
      double p = rnd.nextDouble();
      long delay;
      if (p < 0.04) {
        delay = 4 * HOUR + (long) (rnd.nextDouble() * 2 * HOUR);
      } else if (p < 0.16) {
        delay = 30 * MINUTE + (long) (rnd.nextDouble() * 80 * MINUTE);
      } else {
        delay = (long) (rnd.nextDouble() * 20 * MINUTE);
      }
      timing.add(new long[] {i, Math.floorDiv(nanos, 1_000_000L) + delay});
    }
    timing.sort(Comparator.comparingLong((long[] t) -> t[1]).thenComparingLong(t -> t[0]));
    StreamScenario s = new StreamScenario();
    long watermark = Long.MIN_VALUE;
    for (long[] t : timing) {
      SourceRecord r = records.get((int) t[0]);
      boolean tooLate =
          watermark != Long.MIN_VALUE
              && TimeRules.isTooLate(r.eventTimeMillis(), HOUR, ALLOWED_LATENESS, watermark);
      s.arrivals.add(new Arrival(r, t[1], watermark, tooLate));
      // the watermark a source with a 10 minute delay reports after this arrival, floored to the
      // step so that several events share one advance
      long next = Math.floorDiv(t[1] - WATERMARK_DELAY, watermarkStep) * watermarkStep;
      watermark = Math.max(watermark, next);
    }
    return s;
  }

  /**
   * The too-late events a lateness classifier with {@code shards} shards must catch on any runner:
   * those arriving at a shard that had already seen an event before the last watermark advance
   * (a shard learns the watermark from timers, which a runner may fire only at the next advance).
   */
  List<SourceRecord> tooLateAtWarmShards(int shards) {
    Map<Integer, Long> firstSeenWatermark = new HashMap<>();
    List<SourceRecord> out = new ArrayList<>();
    for (Arrival a : arrivals) {
      int shard = Math.floorMod(a.record().hashCode(), shards);
      Long first = firstSeenWatermark.putIfAbsent(shard, a.watermarkBefore());
      if (a.tooLate() && first != null && first < a.watermarkBefore()) {
        out.add(a.record());
      }
    }
    return out;
  }

  /** Every event but those given (by origin). */
  List<SourceRecord> allBut(Collection<String> origins) {
    List<SourceRecord> out = new ArrayList<>();
    arrivals.stream()
        .filter(a -> !origins.contains(a.record().origin()))
        .forEach(a -> out.add(a.record()));
    return out;
  }

  List<SourceRecord> onTime() {
    List<SourceRecord> out = new ArrayList<>();
    arrivals.stream().filter(a -> !a.tooLate()).forEach(a -> out.add(a.record()));
    return out;
  }

  List<SourceRecord> tooLate() {
    List<SourceRecord> out = new ArrayList<>();
    arrivals.stream().filter(Arrival::tooLate).forEach(a -> out.add(a.record()));
    return out;
  }

  /** The final row for each (group, key, window end): the one emitted last. */
  static Map<String, FeatureRow> latest(Collection<FeatureRow> rows) {
    Map<String, FeatureRow> out = new TreeMap<>();
    for (FeatureRow r : rows) {
      out.merge(r.identity(), r, (a, b) -> a.sequence() >= b.sequence() ? a : b);
    }
    return out;
  }

  /** Rows by identity, failing on duplicates (a bounded run emits each window end once). */
  static Map<String, FeatureRow> unique(Collection<FeatureRow> rows) {
    Map<String, FeatureRow> out = new TreeMap<>();
    for (FeatureRow r : rows) {
      if (out.put(r.identity(), r) != null) {
        throw new AssertionError("two rows for " + r.identity());
      }
    }
    return out;
  }

  /** Describes how two row sets differ (identity, empty flag and values), or "" when they agree. */
  static String difference(Map<String, FeatureRow> expected, Map<String, FeatureRow> actual) {
    StringBuilder b = new StringBuilder();
    int shown = 0;
    Set<String> all = new java.util.TreeSet<>(expected.keySet());
    all.addAll(actual.keySet());
    Map<String, Integer> counts = new HashMap<>();
    for (String id : all) {
      FeatureRow e = expected.get(id);
      FeatureRow a = actual.get(id);
      String what = null;
      if (e == null) {
        what = "unexpected " + a;
      } else if (a == null) {
        what = "missing " + e;
      } else if (e.empty() != a.empty() || !java.util.Arrays.deepEquals(e.values(), a.values())) {
        what = "differs: expected " + e + "\n          actual   " + a;
      }
      if (what != null) {
        counts.merge(what.substring(0, what.indexOf(' ')), 1, Integer::sum);
        if (shown++ < 10) {
          b.append("  ").append(what).append('\n');
        }
      }
    }
    return b.length() == 0 ? "" : counts + "\n" + b;
  }
}
