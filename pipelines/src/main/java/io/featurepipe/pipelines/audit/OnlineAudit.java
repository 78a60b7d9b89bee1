package io.featurepipe.pipelines.audit;

import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import io.featurepipe.sinks.offline.OfflineLayout;
import io.featurepipe.sinks.offline.OfflineStore;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.OnlineReader;
import io.featurepipe.sinks.online.OnlineValues;
import io.featurepipe.sinks.online.StoreMetadata;
import io.featurepipe.transforms.compute.CompiledGroup;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.ValueType;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.time.TimeRules;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;

/**
 * Online/offline consistency (DESIGN §3, §5 {@code audit}): for sampled keys and times whose online
 * read is fresh and final, the online read as of {@code t} must equal the point-in-time offline
 * value at {@code t} — the offline row at {@code e(t)}, or the empty values when there is none.
 *
 * <p>Per group (online and offline), with M its watermark cell, the window ends sampled are those
 * of the published partitions {@code from..to} that are
 *
 * <ul>
 *   <li><b>final</b>: {@code e <= M - allowed_lateness} of the group's source. A stream writes a
 *       window end when its watermark passes it and rewrites it while late data may still come;
 *       once M (which trails the stream's watermark) is {@code allowed_lateness} past {@code e}, no
 *       event can change {@code e} any more. Batch writers only write such window ends;
 *   <li><b>readable</b>: {@code e >= M - retention} (older reads fail by design).
 * </ul>
 *
 * Half the samples are offline rows (a key and the window end of one of its rows, so values are
 * mostly non-empty), half are keys of random rows at random window ends of that span (empty when
 * the key has no row there). Each window end sampled gets a random time {@code t} at full
 * precision within the hop after {@code e + availability_delay}, so {@code e(t) = e}, and its
 * samples are read in one multi-row read as of {@code t}. Values are compared exactly (doubles by
 * their bits), timestamps at microseconds (the offline files' precision). The samples are drawn
 * from a seeded {@link Random}: the same seed and data give the same samples.
 *
 * <pre>{@code
 * AuditReport report = OnlineAudit.of(repo, "/data/offline", d1, d2).withSamples(200).withSeed(7)
 *     .run(target, Duration.ofDays(2));
 * System.out.print(report.render());
 * }</pre>
 *
 * The offline partitions are read one at a time ({@link OfflineStore}), so memory holds one
 * partition and the samples.
 */
public final class OnlineAudit {
  /** Examples kept per differing feature. */
  static final int EXAMPLES = 3;

  private final FeatureRepository repository;
  private final String offlineRoot;
  private final LocalDate from;
  private final LocalDate to;
  private final List<String> groups;
  private final int samples;
  private final long seed;

  private OnlineAudit(
      FeatureRepository repository, String offlineRoot, LocalDate from, LocalDate to, List<String> groups, int samples, long seed) {
    this.repository = repository;
    this.offlineRoot = offlineRoot;
    this.from = from;
    this.to = to;
    this.groups = groups;
    this.samples = samples;
    this.seed = seed;
  }

  /** An audit of the partitions {@code from..to} (inclusive) of every group that is online and offline. */
  public static OnlineAudit of(FeatureRepository repository, String offlineRoot, LocalDate from, LocalDate to) {
    Objects.requireNonNull(offlineRoot, "offlineRoot");
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("--to " + to + " is before --from " + from);
    }
    List<String> both = new ArrayList<>();
    repository.allGroups().stream().filter(g -> g.online() && g.offline()).forEach(g -> both.add(g.name()));
    return new OnlineAudit(repository, offlineRoot, from, to, both, 100, 0L);
  }

  /** Only these groups (each online and offline). */
  public OnlineAudit withGroups(List<String> names) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("no feature groups chosen");
    }
    for (String n : names) {
      FeatureGroupDef g = repository.group(n);
      if (!g.online() || !g.offline()) {
        throw new IllegalArgumentException(
            "feature group '" + n + "' is not both online and offline: there is nothing to compare");
      }
    }
    return new OnlineAudit(repository, offlineRoot, from, to, List.copyOf(names), samples, seed);
  }

  /** Samples per group (default 100). */
  public OnlineAudit withSamples(int perGroup) {
    if (perGroup < 1) {
      throw new IllegalArgumentException("--samples must be at least 1, not " + perGroup);
    }
    return new OnlineAudit(repository, offlineRoot, from, to, groups, perGroup, seed);
  }

  /** The seed of the sampling (default 0). */
  public OnlineAudit withSeed(long s) {
    return new OnlineAudit(repository, offlineRoot, from, to, groups, samples, s);
  }

  /** Runs the audit against the online store {@code target}, prepared with as-of {@code retention}. */
  public AuditReport run(BigtableTarget target, Duration retention) throws IOException {
    List<FeatureGroupDef> defs = groups.stream().map(repository::group).toList();
    Map<String, StoreMetadata.GroupState> meta;
    try (BigtableDataClient client = BigtableDataClient.create(target.dataSettings())) {
      meta = StoreMetadata.read(client, target.table(), defs);
    }
    List<AuditReport.GroupResult> results = new ArrayList<>();
    try (OnlineReader reader = OnlineReader.open(target, repository, retention)) {
      OfflineStore offline = new OfflineStore(repository, offlineRoot);
      Random random = new Random(seed);
      for (FeatureGroupDef g : defs) {
        results.add(audit(g, meta.get(g.name()).watermarkMillis(), retention, reader, offline, random));
      }
    }
    return new AuditReport(List.copyOf(results));
  }

  /** A key and window end to read, and the offline row at that window end (null: none, the empty values). */
  private record Sample(List<Object> key, long windowEnd, FeatureRow row) {}

  private AuditReport.GroupResult audit(
      FeatureGroupDef g, Long m, Duration retention, OnlineReader reader, OfflineStore offline, Random random)
      throws IOException {
    if (m == null) {
      return skipped(g, "nothing has been written online for it (no watermark cell)", 0);
    }
    long hop = TimeRules.millis(g.hop());
    long lateness = TimeRules.millis(repository.source(g.source()).allowedLateness());
    long rangeStart = OfflineLayout.startOf(from);
    long rangeEnd = OfflineLayout.startOf(to.plusDays(1));
    long first = ceil(Math.max(rangeStart, m - retention.toMillis()), hop);
    long last = Math.min(Math.floorDiv(m - lateness, hop) * hop, Math.floorDiv(rangeEnd - 1, hop) * hop);
    if (first > last) {
      return skipped(g, "no window end of " + from + ".." + to + " is both final (<= M " + Instant.ofEpochMilli(m)
          + " - allowed lateness " + Duration.ofMillis(lateness) + ") and within the online retention " + retention, m);
    }
    int atRows = (samples + 1) / 2;
    List<FeatureRow> rowReservoir = new ArrayList<>();
    List<FeatureRow> keyReservoir = new ArrayList<>();
    long seen = 0;
    for (LocalDate d = OfflineLayout.dateOf(first); !d.isAfter(OfflineLayout.dateOf(last)); d = d.plusDays(1)) {
      for (FeatureRow r : partition(offline, g, d)) {
        if (r.windowEndMillis() < first || r.windowEndMillis() > last) {
          continue;
        }
        seen++;
        reservoir(rowReservoir, atRows, r, seen, random);
        reservoir(keyReservoir, samples - atRows, r, seen, random);
      }
    }
    if (seen == 0) {
      return skipped(g, "its published partitions hold no row with a window end in "
          + Instant.ofEpochMilli(first) + ".." + Instant.ofEpochMilli(last), m);
    }
    List<Sample> chosen = new ArrayList<>();
    for (FeatureRow r : rowReservoir) {
      chosen.add(new Sample(r.key(), r.windowEndMillis(), r));
    }
    Map<LocalDate, List<Integer>> toLookUp = new TreeMap<>();
    for (FeatureRow r : keyReservoir) {
      long e = first + hop * (long) random.nextInt((int) Math.min(Integer.MAX_VALUE, (last - first) / hop + 1));
      toLookUp.computeIfAbsent(OfflineLayout.dateOf(e), d -> new ArrayList<>()).add(chosen.size());
      chosen.add(new Sample(r.key(), e, null));
    }
    for (Map.Entry<LocalDate, List<Integer>> day : toLookUp.entrySet()) {
      Map<String, FeatureRow> rows = new HashMap<>();
      for (FeatureRow r : partition(offline, g, day.getKey())) {
        rows.put(r.key() + "|" + r.windowEndMillis(), r);
      }
      for (int i : day.getValue()) {
        Sample s = chosen.get(i);
        FeatureRow r = rows.get(s.key() + "|" + s.windowEnd());
        chosen.set(i, new Sample(s.key(), s.windowEnd(), r));
      }
    }
    return compare(g, m, first, last, chosen, reader, random);
  }

  private AuditReport.GroupResult compare(
      FeatureGroupDef g, long m, long first, long last, List<Sample> chosen, OnlineReader reader, Random random) {
    EntityDef entity = repository.entity(g.entity());
    Object[] empty = CompiledGroup.of(repository, g).emptyValues();
    List<FeatureDef> features = g.features();
    long hop = TimeRules.millis(g.hop());
    long delayNanos = g.availabilityDelay().toNanos();
    Map<Long, List<Sample>> byWindowEnd = new TreeMap<>();
    chosen.forEach(s -> byWindowEnd.computeIfAbsent(s.windowEnd(), e -> new ArrayList<>()).add(s));
    Map<String, List<AuditReport.Example>> examples = new LinkedHashMap<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    int empties = 0;
    for (Map.Entry<Long, List<Sample>> at : byWindowEnd.entrySet()) {
      long t = time(at.getKey(), delayNanos, hop, random);
      List<Map<String, Object>> keys = new ArrayList<>();
      for (Sample s : at.getValue()) {
        Map<String, Object> key = new LinkedHashMap<>();
        for (int i = 0; i < entity.keys().size(); i++) {
          key.put(entity.keys().get(i).name(), s.key().get(i));
        }
        keys.add(key);
      }
      List<Map<String, OnlineValues>> read = reader.readAsOf(keys, List.of(g.name()), t);
      for (int k = 0; k < keys.size(); k++) {
        Sample s = at.getValue().get(k);
        OnlineValues online = read.get(k).get(g.name());
        Object[] expected = s.row() != null ? s.row().values() : empty;
        if (s.row() == null) {
          empties++;
        }
        if (!online.fresh() || online.windowEndMillis() != s.windowEnd()) {
          counts.merge("_window_end", 1, Integer::sum);
          addExample(examples, "_window_end", new AuditReport.Example(keys.get(k), t, s.windowEnd(),
              Instant.ofEpochMilli(online.windowEndMillis()) + (online.fresh() ? "" : " (not fresh)"),
              Instant.ofEpochMilli(s.windowEnd())));
          continue;
        }
        for (int f = 0; f < features.size(); f++) {
          FeatureDef fd = features.get(f);
          Object got = online.values().get(fd.name());
          if (!same(got, expected[f], fd.outputType())) {
            counts.merge(fd.name(), 1, Integer::sum);
            addExample(examples, fd.name(), new AuditReport.Example(keys.get(k), t, s.windowEnd(), got, expected[f]));
          }
        }
      }
    }
    int atRows = chosen.size() - empties;
    List<AuditReport.FeatureMismatches> mismatches = new ArrayList<>();
    counts.forEach((f, n) -> mismatches.add(new AuditReport.FeatureMismatches(f, n, List.copyOf(examples.get(f)))));
    return new AuditReport.GroupResult(g.name(), g.version(), null, first, last, m, chosen.size(), atRows, empties, List.copyOf(mismatches));
  }

  private static void addExample(Map<String, List<AuditReport.Example>> examples, String feature, AuditReport.Example e) {
    List<AuditReport.Example> list = examples.computeIfAbsent(feature, k -> new ArrayList<>());
    if (list.size() < EXAMPLES) {
      list.add(e);
    }
  }

  /**
   * Whether an online and an offline value agree: exactly (doubles by {@link Double#equals}, so
   * NaN equals NaN and -0.0 differs from 0.0), timestamps at the offline files' microseconds.
   */
  static boolean same(Object online, Object offline, ValueType type) {
    if (type.element() != ColumnType.TIMESTAMP || online == null || offline == null) {
      return Objects.equals(online, offline);
    }
    if (type.list()) {
      List<?> a = (List<?>) online;
      List<?> b = (List<?>) offline;
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (Math.floorDiv((Long) a.get(i), 1000L) != Math.floorDiv((Long) b.get(i), 1000L)) {
          return false;
        }
      }
      return true;
    }
    return Math.floorDiv((Long) online, 1000L) == Math.floorDiv((Long) offline, 1000L);
  }

  private List<FeatureRow> partition(OfflineStore offline, FeatureGroupDef g, LocalDate d) throws IOException {
    try {
      return offline.rows(g.name(), d);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(
          "cannot audit group '" + g.name() + "' on " + d + ": " + e.getMessage() + " (backfill that date first)", e);
    }
  }

  /** A time at full precision within the hop after {@code e + delay}: its {@code e(t)} is {@code e}. */
  private static long time(long e, long delayNanos, long hop, Random random) {
    long offset = (long) (random.nextDouble() * hop * 1_000_000L);
    return e * 1_000_000L + delayNanos + Math.min(offset, hop * 1_000_000L - 1);
  }

  /** Reservoir sampling (algorithm R): keeps a uniform sample of {@code size} of the items seen. */
  private static void reservoir(List<FeatureRow> sample, int size, FeatureRow r, long seen, Random random) {
    if (size <= 0) {
      return;
    }
    if (sample.size() < size) {
      sample.add(r);
    } else {
      long j = (long) (random.nextDouble() * seen);
      if (j < size) {
        sample.set((int) j, r);
      }
    }
  }

  private static long ceil(long millis, long hop) {
    return Math.floorDiv(millis + hop - 1, hop) * hop;
  }

  private static AuditReport.GroupResult skipped(FeatureGroupDef g, String why, long m) {
    return new AuditReport.GroupResult(g.name(), g.version(), why, 0, 0, m, 0, 0, 0, List.of());
  }

  static String instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)).toString();
  }
}
