package io.featurepipe.sinks.online;

import io.featurepipe.transforms.compute.CompiledGroup;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.record.SourceRecordCoder;
import io.featurepipe.transforms.time.TimeRules;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;

/**
 * A reproducible stream of events for the online store's tests: two groups of different hops and
 * entities (one with a two-column key whose values hold {@code #} and {@code :}), features of every
 * value type, events arriving out of order, late within the allowed lateness and too late. Also
 * the point-in-time oracle: the value as of {@code t} from a bounded run's rows.
 */
final class OnlineScenario {
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
        - {name: qty, type: int}
      bounded: {path: "events/{date}.jsonl"}
      watermark_delay: 10m
      allowed_lateness: 2h
      ---
      kind: entity
      name: user
      keys: [{name: user, type: string}]
      ---
      kind: entity
      name: user_item
      keys: [{name: user, type: string}, {name: item, type: string}]
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
      availability_delay: 2m
      features:
        - {name: n_1h, agg: count, window: 1h}
        - {name: spend_3h, agg: sum, column: amount, window: 3h}
        - {name: mean_6h, agg: mean, column: amount}
        - {name: max_1h, agg: max, column: amount, window: 1h}
        - {name: qty_2h, agg: sum, column: qty, window: 2h}
        - {name: last_item, agg: last, column: item}
        - {name: last_big, agg: last, column: big, window: 3h}
        - {name: first_ts, agg: first, column: ts, window: 3h}
        - {name: top2_3h, agg: top_k(2), column: amount, window: 3h}
        - {name: last3, agg: last_k(3), column: item}
        - {name: qty_top, agg: top_k(2), column: qty, window: 2h}
      ---
      kind: feature_group
      name: pairs
      entity: user_item
      source: events
      keys: {user: user, item: "item == null ? 'none' : item"}
      hop: 2h
      availability_delay: 5m
      features:
        - {name: n_4h, agg: count, window: 4h}
        - {name: spend_4h, agg: sum, column: amount, window: 4h}
        - {name: last_qty, agg: last, column: qty, window: 2h}
      """;

  static final String[] USERS = {"ana", "bo", "cy#1", "dee:2", "eli"};
  static final String[] ITEMS = {"apple", "a#b", "1:x", "\u00e9clair", "\uD83C\uDF4Fpear", "apple#"};

  /** One event and when it reaches the pipeline. */
  record Arrival(SourceRecord record, long arrivalMillis, long watermarkBefore, boolean tooLate) {}

  final List<Arrival> arrivals = new ArrayList<>();
  final long endMillis;

  private OnlineScenario(long endMillis) {
    this.endMillis = endMillis;
  }

  static FeatureRepository repository() {
    try {
      return RepositoryLoader.load(Map.of("online.yaml", YAML));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code n} events over {@code hours} hours; about 12% late within the lateness, 3% too late. */
  static OnlineScenario generate(long seed, int n, int hours) {
    Random rnd = new Random(seed);
    List<long[]> timing = new ArrayList<>();
    List<SourceRecord> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long ts = START + (long) (rnd.nextDouble() * hours * HOUR);
      // a few quiet hours in the middle, so keys empty out and come back
      if (ts > START + hours * HOUR / 3 && ts < START + hours * HOUR / 3 + 9 * HOUR) {
        ts += 9 * HOUR;
      }
      if (rnd.nextInt(10) == 0) {
        ts = Math.floorDiv(ts, HOUR) * HOUR; // on an hour boundary
      }
      long nanos = ts * 1_000_000L + rnd.nextInt(1_000_000);
      Double amount = rnd.nextInt(10) == 0 ? null : Math.round(rnd.nextDouble() * 10000) / 100.0;
      String item = rnd.nextInt(12) == 0 ? null : ITEMS[rnd.nextInt(ITEMS.length)];
      Long qty = rnd.nextInt(8) == 0 ? null : (long) (rnd.nextInt(9) - 2);
      String user = USERS[rnd.nextInt(USERS.length)];
      records.add(new SourceRecord("events", nanos, new Object[] {nanos, user, amount, item, qty}, "e" + i));
      double p = rnd.nextDouble();
      long delay;
      if (p < 0.03) {
        delay = 4 * HOUR + (long) (rnd.nextDouble() * 2 * HOUR);
      } else if (p < 0.15) {
        delay = 30 * MINUTE + (long) (rnd.nextDouble() * 80 * MINUTE);
      } else {
        delay = (long) (rnd.nextDouble() * 20 * MINUTE);
      }
      timing.add(new long[] {i, Math.floorDiv(nanos, 1_000_000L) + delay});
    }
    // a steady key: the same purchase every hour, so most of its values stay unchanged for longer
    // than a longest window and are kept alive by periodic rewrites alone
    for (long at = START + 30 * MINUTE; at < START + (hours + 9) * HOUR; at += HOUR) {
      long nanos = at * 1_000_000L;
      timing.add(new long[] {records.size(), at + MINUTE});
      records.add(new SourceRecord("events", nanos, new Object[] {nanos, "steady", 10.0, "apple", 1L}, "s" + at));
    }
    timing.sort(Comparator.comparingLong((long[] t) -> t[1]).thenComparingLong(t -> t[0]));
    OnlineScenario s = new OnlineScenario(START + (hours + 9) * HOUR);
    long watermark = Long.MIN_VALUE;
    for (long[] t : timing) {
      SourceRecord r = records.get((int) t[0]);
      boolean tooLate =
          watermark != Long.MIN_VALUE && TimeRules.isTooLate(r.eventTimeMillis(), HOUR, ALLOWED_LATENESS, watermark);
      s.arrivals.add(new Arrival(r, t[1], watermark, tooLate));
      // the watermark a source with a 10 minute delay reports, in steps of half an hour
      watermark = Math.max(watermark, Math.floorDiv(t[1] - WATERMARK_DELAY, 30 * MINUTE) * 30 * MINUTE);
    }
    return s;
  }

  /** The events as a stream: arrival order, the watermark advancing between batches of them. */
  TestStream<SourceRecord> stream() {
    return streamFrom(Long.MIN_VALUE);
  }

  /** The stream of the events at or after {@code startMillis} only: a stream started then. */
  TestStream<SourceRecord> streamFrom(long startMillis) {
    TestStream.Builder<SourceRecord> stream = TestStream.create(SourceRecordCoder.of());
    long watermark = Long.MIN_VALUE;
    List<TimestampedValue<SourceRecord>> batch = new ArrayList<>();
    for (Arrival a : arrivals) {
      if (a.record().eventTimeMillis() < startMillis) {
        continue;
      }
      if (a.watermarkBefore() > watermark) {
        stream = addAll(stream, batch);
        watermark = a.watermarkBefore();
        stream = stream.advanceWatermarkTo(new Instant(watermark));
      }
      batch.add(TimestampedValue.of(a.record(), new Instant(a.record().eventTimeMillis())));
    }
    return addAll(stream, batch).advanceWatermarkToInfinity();
  }

  private static TestStream.Builder<SourceRecord> addAll(
      TestStream.Builder<SourceRecord> stream, List<TimestampedValue<SourceRecord>> batch) {
    if (batch.isEmpty()) {
      return stream;
    }
    @SuppressWarnings("unchecked")
    TimestampedValue<SourceRecord>[] rest = batch.subList(1, batch.size()).toArray(new TimestampedValue[0]);
    TestStream.Builder<SourceRecord> out = stream.addElements(batch.get(0), rest);
    batch.clear();
    return out;
  }

  /** The events that are not too late, timestamped, for a bounded run. */
  List<TimestampedValue<SourceRecord>> onTime() {
    List<TimestampedValue<SourceRecord>> out = new ArrayList<>();
    for (Arrival a : arrivals) {
      if (!a.tooLate()) {
        out.add(TimestampedValue.of(a.record(), new Instant(a.record().eventTimeMillis())));
      }
    }
    return out;
  }

  /**
   * "group|key|e" of every window end late data may have changed or created after the watermark
   * passed it: from the hop end of an admitted event that arrived behind the watermark up to one
   * hop past its longest window. Such rows may be written after M moved over them, by design.
   */
  Set<String> touchedByLateData(FeatureRepository repository) {
    Set<String> out = new HashSet<>();
    for (Arrival a : arrivals) {
      if (a.tooLate()) {
        continue;
      }
      Object[] v = a.record().values();
      for (FeatureGroupDef g : repository.allGroups()) {
        long hop = TimeRules.millis(g.hop());
        long end = TimeRules.hopEnd(a.record().eventTimeMillis(), hop);
        if (a.watermarkBefore() < end - 1) {
          continue;
        }
        List<Object> key = g.name().equals("pairs") ? List.of(v[1], v[3] == null ? "none" : v[3]) : List.of(v[1]);
        for (long e = end; e <= end + TimeRules.millis(g.longestWindow()) + hop; e += hop) {
          out.add(g.name() + "|" + key + "|" + e);
        }
      }
    }
    return out;
  }

  long tooLateCount() {
    return arrivals.stream().filter(Arrival::tooLate).count();
  }

  /** Offline rows as {@code ReadOffline} returns them: no explicit empties, no online writes. */
  static List<FeatureRow> offline(List<FeatureRow> rows) {
    List<FeatureRow> out = new ArrayList<>();
    for (FeatureRow r : rows) {
      if (!r.empty()) {
        out.add(new FeatureRow(r.group(), r.version(), r.key(), r.windowEndMillis(), r.values(), false, new BitSet(), false, 0));
      }
    }
    return out;
  }

  /** Rows as the offline store returns them, in a pipeline. */
  static final class AsOfflineFn extends org.apache.beam.sdk.transforms.DoFn<FeatureRow, FeatureRow> {
    @ProcessElement
    public void process(@Element FeatureRow r, OutputReceiver<FeatureRow> out) {
      offline(List.of(r)).forEach(out::output);
    }
  }

  /** The point-in-time oracle of DESIGN §3 over a bounded run's rows. */
  static final class Oracle {
    private final FeatureRepository repository;
    private final Map<String, NavigableMap<Long, FeatureRow>> byKey = new HashMap<>();
    private final Map<String, Object[]> empties = new HashMap<>();

    Oracle(FeatureRepository repository, List<FeatureRow> boundedRows) {
      this.repository = repository;
      for (FeatureRow r : boundedRows) {
        FeatureRow before = byKey.computeIfAbsent(r.group() + "|" + r.key(), k -> new TreeMap<>()).put(r.windowEndMillis(), r);
        if (before != null) {
          throw new AssertionError("two bounded rows for " + r.identity());
        }
      }
      for (FeatureGroupDef g : repository.allGroups()) {
        empties.put(g.name(), CompiledGroup.of(repository, g).emptyValues());
      }
    }

    /** The window end e(t) of a group. */
    long windowEnd(String group, long tNanos) {
      FeatureGroupDef g = repository.group(group);
      return TimeRules.windowEndAsOf(tNanos, g.availabilityDelay(), TimeRules.millis(g.hop()));
    }

    /** The values of a group for a key at window end e: the row at e, or the empty values. */
    Object[] valuesAt(String group, List<Object> key, long e) {
      NavigableMap<Long, FeatureRow> rows = byKey.get(group + "|" + key);
      FeatureRow r = rows == null ? null : rows.get(e);
      return r == null ? empties.get(group) : r.values();
    }

    /** Mismatches between online values and the oracle, described; empty when they agree. */
    String compare(String group, List<Object> key, long e, OnlineValues online) {
      Object[] expected = valuesAt(group, key, e);
      Object[] actual = online.values().values().toArray();
      if (Arrays.deepEquals(expected, actual)) {
        return "";
      }
      return group + key + "@" + java.time.Instant.ofEpochMilli(e) + ": expected " + Arrays.deepToString(expected)
          + " online " + Arrays.deepToString(actual) + "\n";
    }
  }
}
