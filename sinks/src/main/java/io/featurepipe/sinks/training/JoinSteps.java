package io.featurepipe.sinks.training;

import io.featurepipe.sinks.offline.OfflineLayout;
import io.featurepipe.sinks.offline.OfflineRecords;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.sideinput.BundleSideInput;
import io.featurepipe.transforms.time.TimeRules;
import java.io.IOException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.range.OffsetRange;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/** The DoFns of {@link JoinPointInTime}, in the order they run. */
final class JoinSteps {
  /** Spine rows per bucket (partial counts: a bucket may come from several bundles). */
  static final TupleTag<KV<Bucket, Long>> BUCKETS = new TupleTag<>("buckets");
  static final TupleTag<String> PARTITIONS = new TupleTag<>("partitions");
  static final TupleTag<LookupFilter.Hashes> LOOKUPS = new TupleTag<>("lookups");

  private JoinSteps() {}

  /**
   * The most elements of one bucket (and salt), spine rows and offline rows, that a join step keeps
   * in state (it holds them until the bucket's input ends), as its hot-key threshold leaves room.
   */
  static final long GROUP_IN_MEMORY = 10_000;
  /** Room for the spread of salts drawn by hash around their mean (about 5 standard deviations). */
  static final long SALT_MARGIN = 500;
  /** The least threshold the room left by very short hops is allowed to push a group's down to. */
  static final long MIN_THRESHOLD = 1_000;

  /** A group's buckets are months when a month holds at most this many of its hops (hops of 45 min or more), else dates. */
  static final long MONTHLY_MAX_HOPS = 1_000;

  /**
   * The hot-key threshold applied to a group: the one asked for, lowered so that a bucket of that
   * many spine rows plus the group's offline rows of a bucket (one per hop) and the salts' spread
   * fit in {@link #GROUP_IN_MEMORY}; never below {@link #MIN_THRESHOLD} (hops under about 10 s,
   * whose day alone nearly fills a bucket, hold more in state).
   */
  static long threshold(long asked, long hopsPerBucket) {
    long room = GROUP_IN_MEMORY - SALT_MARGIN - hopsPerBucket;
    return Math.min(asked, Math.max(room, MIN_THRESHOLD));
  }

  /** How many salts a bucket asked by {@code count} spine rows is spread over. */
  static int fanout(long count, long threshold) {
    return (int) Math.max(1, (count + threshold - 1) / threshold);
  }

  /** What the join needs to know of one selected group to look a spine row up. */
  static final class GroupTime implements java.io.Serializable {
    final int[] keyPositions;
    final long hopMillis;
    final Duration delay;
    final String name;
    final String version;
    /**
     * Whether the group's buckets are months rather than dates: a runner pays a fixed cost per
     * group of a shuffle (the DirectRunner a bundle in every later step), so a key asked on every
     * day of a month costs one group instead of 30, as long as a month of hops stays small beside
     * {@link #GROUP_IN_MEMORY} (at most {@link #MONTHLY_MAX_HOPS}: 744 on an hourly hop).
     */
    final boolean monthly;
    /** The group's hot-key threshold: the one asked for, lowered to fit its buckets ({@link JoinSteps#threshold}). */
    final long threshold;

    GroupTime(FeatureSelection selection, FeatureGroupDef g, long hotKeyThreshold) {
      keyPositions = selection.keyPositions(g);
      hopMillis = TimeRules.millis(g.hop());
      delay = g.availabilityDelay();
      name = g.name();
      version = g.version();
      monthly = hops(31) <= MONTHLY_MAX_HOPS;
      threshold = JoinSteps.threshold(hotKeyThreshold, hopsPerBucket());
    }

    /** Hops in {@code days} days, rounded up. */
    long hops(int days) {
      return (days * 86_400_000L + hopMillis - 1) / hopMillis;
    }

    /** The most window ends one bucket of this group can hold. */
    long hopsPerBucket() {
      return hops(monthly ? 31 : 1);
    }

    /** The bucket of group index {@code group} and {@code key} holding window end {@code end}. */
    Bucket bucket(int group, List<Object> key, long end) {
      return Bucket.of(group, key, end, monthly);
    }

    /** The offline partition of date {@code date}. */
    String partition(LocalDate date) {
      return OfflineLayout.partition(name, version, date);
    }

    List<Object> key(SpineRow row) {
      List<Object> key = new ArrayList<>(keyPositions.length);
      for (int p : keyPositions) {
        key.add(row.keys().get(p));
      }
      return key;
    }

    /** e(t) of DESIGN §3 for this group. */
    long windowEnd(SpineRow row) {
      return TimeRules.windowEndAsOf(row.timeNanos(), delay, hopMillis);
    }

    /** Every selected group, in selection order, with the hot-key threshold asked for. */
    static List<GroupTime> of(FeatureSelection selection, long hotKeyThreshold) {
      List<GroupTime> out = new ArrayList<>();
      selection.groups().forEach(g -> out.add(new GroupTime(selection, g, hotKeyThreshold)));
      return out;
    }
  }

  /**
   * What a spine asks of every selected group, gathered per bundle: the spine rows per bucket
   * (group, key, month or date of e(t)), the offline partitions ({@code <group>/v<version>/date=<date>})
   * that hold their window ends, and the {@link LookupFilter#hash hashes} of their lookups (group,
   * key, e(t)), each distinct one once.
   *
   * <p>Why per bundle rather than one output per spine row and group for {@code Count}, {@code
   * Distinct} and the filter's combine to reduce: a batch bundle holds thousands of spine rows
   * (on Flink a batch step's bundle is its task's whole input: Beam 2.70's runner closes bundles
   * by count and time only in streams, {@code DoFnOperator.shoudBundleElements}), which ask far fewer
   * partitions than they have rows (a month of dates asks 31), and fewer buckets and lookups as
   * far as they repeat a key in a month or a key and hour. A
   * runner's combiner lifting would reach the same totals, but only after wrapping, tagging and
   * sorting every one of the rows' outputs. What a bundle holds is bounded: past {@link
   * #FLUSH_BUCKETS} buckets or {@link #FLUSH_LOOKUPS} lookups it sends what it has and starts
   * again, so a bucket, partition or lookup may come more than once: the counts are partial sums,
   * the partitions and lookups are made distinct downstream.
   */
  static final class RequestBucketsFn extends DoFn<SpineRow, KV<Bucket, Long>> {
    static final int FLUSH_BUCKETS = 100_000;
    static final int FLUSH_LOOKUPS = 1 << 20;

    private final List<GroupTime> groups;
    private final int flushBuckets;
    private final int flushLookups;
    private transient Map<Bucket, Long> counts;
    private transient List<Set<Long>> days;
    private transient LookupFilter.Hashes lookups;

    RequestBucketsFn(List<GroupTime> groups) {
      this(groups, FLUSH_BUCKETS, FLUSH_LOOKUPS);
    }

    /** Sends what a bundle gathered past {@code flushBuckets} buckets or {@code flushLookups} lookups (tests). */
    RequestBucketsFn(List<GroupTime> groups, int flushBuckets, int flushLookups) {
      this.groups = List.copyOf(groups);
      this.flushBuckets = flushBuckets;
      this.flushLookups = flushLookups;
    }

    @StartBundle
    public void start() {
      reset();
    }

    @ProcessElement
    public void process(@Element SpineRow row, MultiOutputReceiver out) {
      for (int g = 0; g < groups.size(); g++) {
        GroupTime gt = groups.get(g);
        List<Object> key = gt.key(row);
        long end = gt.windowEnd(row);
        counts.merge(gt.bucket(g, key, end), 1L, Long::sum);
        days.get(g).add(OfflineLayout.dayOf(end));
        lookups = lookups.add(LookupFilter.hash(g, key, end));
      }
      if (counts.size() >= flushBuckets || lookups.size() >= flushLookups) {
        flush(c -> out.get(BUCKETS).output(c), p -> out.get(PARTITIONS).output(p), h -> out.get(LOOKUPS).output(h));
      }
    }

    @FinishBundle
    public void finish(FinishBundleContext c) {
      Instant ts = BoundedWindow.TIMESTAMP_MIN_VALUE;
      flush(v -> c.output(BUCKETS, v, ts, GlobalWindow.INSTANCE),
          p -> c.output(PARTITIONS, p, ts, GlobalWindow.INSTANCE),
          h -> c.output(LOOKUPS, h, ts, GlobalWindow.INSTANCE));
    }

    private void flush(
        Consumer<KV<Bucket, Long>> countsOut, Consumer<String> partitionsOut, Consumer<LookupFilter.Hashes> lookupsOut) {
      counts.forEach((b, n) -> countsOut.accept(KV.of(b, n)));
      for (int g = 0; g < groups.size(); g++) {
        GroupTime gt = groups.get(g);
        days.get(g).forEach(d -> partitionsOut.accept(gt.partition(LocalDate.ofEpochDay(d))));
      }
      if (lookups.saturated() || lookups.size() > 0) {
        lookupsOut.accept(lookups.compact());
      }
      reset();
    }

    private void reset() {
      counts = new HashMap<>();
      days = new ArrayList<>();
      groups.forEach(g -> days.add(new HashSet<>()));
      lookups = LookupFilter.Hashes.empty();
    }
  }

  /** The buckets asked by more than their group's threshold of spine rows, each counted once. */
  static final class HotBucketsFn extends DoFn<KV<Bucket, Long>, KV<Bucket, Long>> {
    private final List<GroupTime> groups;
    private final Counter hotKeys = Metrics.counter("featurepipe", "training_hot_keys");

    HotBucketsFn(List<GroupTime> groups) {
      this.groups = List.copyOf(groups);
    }

    @ProcessElement
    public void process(@Element KV<Bucket, Long> count, OutputReceiver<KV<Bucket, Long>> out) {
      if (count.getValue() > groups.get(count.getKey().group()).threshold) {
        hotKeys.inc();
        out.output(count);
      }
    }
  }

  /**
   * A spine row entering the chain: its salt in the bucket of every group drawn (0 where the
   * bucket is not hot), keyed by its salted bucket of the first group.
   */
  static final class KeySpineRowsFn extends DoFn<SpineRow, KV<Bucket, JoinInput>> {
    private final List<GroupTime> times;
    private final BundleSideInput<Map<Bucket, Long>> hot;

    KeySpineRowsFn(List<GroupTime> times, PCollectionView<Map<Bucket, Long>> hot) {
      this.times = List.copyOf(times);
      this.hot = BundleSideInput.of(hot);
    }

    @StartBundle
    public void start() {
      hot.reset();
    }

    @ProcessElement
    public void process(ProcessContext c, BoundedWindow window) {
      SpineRow spine = c.element();
      Map<Bucket, Long> hotBuckets = hot.get(c, window);
      int[] salts = new int[times.size()];
      Bucket first = null;
      for (int g = 0; g < salts.length; g++) {
        GroupTime t = times.get(g);
        Bucket b = t.bucket(g, t.key(spine), t.windowEnd(spine));
        salts[g] = saltOf(b, t, spine, hotBuckets);
        first = g == 0 ? b : first;
      }
      PendingRow row = new PendingRow(new JoinedRow(spine, List.of()), salts);
      c.output(KV.of(first.withSalt(salts[0]), JoinInput.spine(row)));
    }
  }

  /** The salted bucket of {@code group} a row in the chain asks. */
  static Bucket bucketOf(int group, GroupTime time, PendingRow row) {
    SpineRow spine = row.row().spine();
    return time.bucket(group, time.key(spine), time.windowEnd(spine)).withSalt(row.salts()[group]);
  }

  /** The salt of a spine row in its (unsalted) bucket {@code b} of a group: 0 unless the bucket is hot. */
  static int saltOf(Bucket b, GroupTime time, SpineRow spine, Map<Bucket, Long> hot) {
    Long count = hot.get(b);
    return count == null ? 0 : (int) Math.floorMod(saltHash(spine.id()), (long) fanout(count, time.threshold));
  }

  /**
   * A spine row id hashed (Murmur3) before it picks a salt: ids are {@code file * 2^40 + line},
   * so a key on every n-th line of a file would otherwise land in one salt when n shares a factor
   * with the fanout.
   */
  static long saltHash(long id) {
    return com.google.common.hash.Hashing.murmur3_128().hashLong(id).asLong();
  }

  /**
   * Reads a range of one of {@code group}'s offline files ({@link RequestedRanges#read}) and keys
   * its rows by bucket, each copied to every salt of a hot bucket. A row no spine row looks up
   * ({@link LookupFilter}) is dropped as soon as its key and window end are read, its features
   * skipped, not decoded, in a file of the group's offline schema ({@link
   * OfflineRecords#datumReader}): most rows of a partition are of keys, or hours, nobody asks for.
   * Counts every row read ({@code training_offline_rows_read}).
   */
  static final class KeyOfflineRowsFn extends DoFn<KV<FileIO.ReadableFile, OffsetRange>, KV<Bucket, JoinInput>> {
    private final int group;
    private final GroupTime time;
    private final OfflineRecords records;
    private final BundleSideInput<Map<Bucket, Long>> hot;
    private final BundleSideInput<LookupFilter> asked;
    private final Counter read = Metrics.counter("featurepipe", "training_offline_rows_read");

    KeyOfflineRowsFn(int group, GroupTime time, OfflineRecords records,
        PCollectionView<Map<Bucket, Long>> hot, PCollectionView<LookupFilter> asked) {
      this.group = group;
      this.time = time;
      this.records = records;
      this.hot = BundleSideInput.of(hot);
      this.asked = BundleSideInput.of(asked);
    }

    @StartBundle
    public void start() {
      hot.reset();
      asked.reset();
    }

    @ProcessElement
    public void process(ProcessContext c, BoundedWindow window) throws IOException {
      LookupFilter lookups = asked.get(c, window);
      Map<Bucket, Long> hotBuckets = hot.get(c, window);
      KV<FileIO.ReadableFile, OffsetRange> range = c.element();
      long rows = RequestedRanges.read(records, (key, end) -> lookups.mightHold(group, key, end),
          range.getKey().getMetadata(), range.getValue(), c.getPipelineOptions(), row -> {
            JoinInput input = JoinInput.offline(row);
            Bucket b = time.bucket(group, row.key(), row.windowEndMillis());
            Long count = hotBuckets.get(b);
            int fanout = count == null ? 1 : fanout(count, time.threshold);
            for (int s = 0; s < fanout; s++) {
              c.output(KV.of(b.withSalt(s), input));
            }
          });
      read.inc(rows);
    }
  }

  /**
   * Per bucket of {@code group} (and salt): its offline rows held in a map by window end (at most
   * one per hop of the bucket's month or date), the spine rows streamed past it; each leaves with the row at its e(t)
   * appended, or the group's empty values when the store has none there. Two offline rows at a
   * window end a spine row asks for fail the run (the store is corrupt). The few offline rows that
   * passed the lookup filter but meet no spine row stop here.
   */
  static final class Attach implements java.io.Serializable {
    private final int group;
    private final String name;
    private final String version;
    private final Object[] empties;
    private final GroupTime time;
    private final Counter found;
    private final Counter empty;
    private final Distribution requestsPerKey = Metrics.distribution("featurepipe", "training_requests_per_key");

    Attach(int group, FeatureGroupDef def, Object[] empties, GroupTime time) {
      this.group = group;
      this.name = def.name();
      this.version = def.version();
      this.empties = empties;
      this.time = time;
      this.found = Metrics.counter("featurepipe", "training_found_" + name);
      this.empty = Metrics.counter("featurepipe", "training_empty_" + name);
    }

    void attach(Bucket b, Iterable<FeatureRow> offline, Iterable<PendingRow> rows,
        java.util.function.Consumer<PendingRow> out) {
      Map<Long, FeatureRow> byEnd = new HashMap<>();
      Set<Long> twice = new HashSet<>();
      for (FeatureRow row : offline) {
        if (byEnd.putIfAbsent(row.windowEndMillis(), row) != null) {
          twice.add(row.windowEndMillis());
        }
      }
      long n = 0;
      for (PendingRow pending : rows) {
        JoinedRow r = pending.row();
        if (r.groups().size() != group) {
          throw new IllegalStateException("spine row " + r.spine().origin() + " reached group '" + name + "' with "
              + r.groups().size() + " groups joined, not " + group);
        }
        long end = time.windowEnd(r.spine());
        if (twice.contains(end)) {
          throw new IllegalStateException(
              "the offline store holds two rows of group '" + name + "' for key " + b.key()
                  + " at window end " + java.time.Instant.ofEpochMilli(end)
                  + ": its partition was not published by one run; backfill that date again");
        }
        FeatureRow values = byEnd.get(end);
        if (values == null) {
          values = new FeatureRow(
              name, version, b.key(), end, Arrays.copyOf(empties, empties.length), true, new BitSet(), false, 0);
          empty.inc();
        } else {
          found.inc();
        }
        List<FeatureRow> groups = new ArrayList<>(group + 1);
        groups.addAll(r.groups());
        groups.add(values);
        out.accept(new PendingRow(new JoinedRow(r.spine(), groups), pending.salts()));
        n++;
      }
      if (n > 0) {
        requestsPerKey.update(n);
      }
    }
  }

  /**
   * {@code Join/<group>/Match}: per bucket (and salt), its offline rows and spine rows gathered in
   * state as they come, then, once the bucket's input has ended (a timer at the end of the global
   * window: on a batch runner, when the bucket's input is done), {@link Attach}: each spine row
   * leaves with the group's values, keyed by its salted bucket of the next group, or by its bucket
   * of this group after the last one. A stateful step rather than a {@code CoGroupByKey}: Flink's
   * batch grouping gathers each bundle's values per key into lists before shuffling them and
   * buffers and flattens them after, for buckets that rarely repeat within a bundle; and a group is
   * read from state, not from an iterable Flink lets be read once.
   */
  static final class MatchFn extends DoFn<KV<Bucket, JoinInput>, KV<Bucket, JoinInput>> {
    private final Attach attach;
    private final GroupTime next;

    @StateId("offline")
    private final StateSpec<BagState<FeatureRow>> offlineSpec = StateSpecs.bag(FeatureRow.Coder.of());

    @StateId("rows")
    private final StateSpec<BagState<PendingRow>> rowsSpec = StateSpecs.bag(PendingRow.Coder.of());

    @TimerId("end")
    private final TimerSpec endSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    /**
     * The bucket of this bundle's last element, whose end timer is set: the timer is set for the
     * first element of a run of one bucket's elements, not for each (a batch runner hands a
     * bucket's elements on in one run; setting a timer costs Beam's Flink runner a state write per
     * call). The timer, at the end of the global window, cannot fire before the input ends, so a
     * bucket's timer set once stays set for the rest of its run; the memo starts empty in every
     * bundle and after every firing.
     */
    private transient Bucket timed;

    /** {@code next}: the next group's time, or null for the last group. */
    MatchFn(Attach attach, GroupTime next) {
      this.attach = attach;
      this.next = next;
    }

    @StartBundle
    public void startBundle() {
      timed = null;
    }

    @ProcessElement
    public void process(
        @Element KV<Bucket, JoinInput> e,
        @StateId("offline") BagState<FeatureRow> offline,
        @StateId("rows") BagState<PendingRow> rows,
        @TimerId("end") Timer end) {
      JoinInput in = e.getValue();
      if (in.offline() != null) {
        offline.add(in.offline());
      } else {
        rows.add(in.spine());
      }
      if (!e.getKey().equals(timed)) {
        end.set(GlobalWindow.INSTANCE.maxTimestamp());
        timed = e.getKey();
      }
    }

    @OnTimer("end")
    public void onEnd(
        @Key Bucket b,
        OnTimerContext c,
        @StateId("offline") BagState<FeatureRow> offline,
        @StateId("rows") BagState<PendingRow> rows) {
      timed = null;
      int nextGroup = attach.group + 1;
      attach.attach(b, offline.read(), rows.read(), r -> c.output(
          KV.of(next == null ? b : bucketOf(nextGroup, next, r), JoinInput.spine(r))));
      offline.clear();
      rows.clear();
    }
  }

  /** The joined rows, after the last group's match. */
  static final class JoinedFn extends DoFn<KV<Bucket, JoinInput>, JoinedRow> {
    private final Counter joined = Metrics.counter("featurepipe", "training_rows_joined");

    @ProcessElement
    public void process(@Element KV<Bucket, JoinInput> e, OutputReceiver<JoinedRow> out) {
      joined.inc();
      out.output(e.getValue().spine().row());
    }
  }
}
