package io.featurepipe.validation.monitor;

import io.featurepipe.transforms.group.CombineInBundles;
import io.featurepipe.transforms.record.Alert;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import java.io.Serializable;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.Keys;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * Counts items per name (a group's feature rows, a source's records) per fixed window of event
 * time (streams), per UTC day (bounded runs over days) or per run (bounded), and compares each
 * count with the name's history of past counts ({@link VolumeCheck}): an alert per window or day
 * whose volume strays. The input is one {@code KV<name, millis>} per counted item ({@link
 * #featureRows}, {@link #records}); the millis place it on a day, the element's timestamp in a
 * window. The history is given ({@link #of}), or a stream's own counts of the windows before
 * ({@link #againstPastWindows}), or a bounded run's own days before ({@link #perDay}). Bounded, a
 * name (or day) without items counts 0; in a stream a window without items emits nothing (a
 * stalled stream raises a freshness alert instead). Windows and days without items are no part of
 * a history.
 *
 * <pre>{@code
 * rows.apply(CheckVolume.featureRows())
 *     .apply("CheckVolume", CheckVolume.of(Map.of("user_spend", List.of(1200L, 1180L, 1250L)))
 *         .withFixedWindows(Duration.ofHours(1)));
 * records.apply(CheckVolume.records("payments"))
 *     .apply("CheckVolume", CheckVolume.againstPastWindows(List.of("payments"), 24)
 *         .withFixedWindows(Duration.ofHours(1)));
 * }</pre>
 */
public final class CheckVolume extends PTransform<PCollection<KV<String, Long>>, PCollection<Alert>> {
  private final Map<String, List<Long>> history;
  /** How many past windows (days) of its own a name is compared with; 0: the given history. */
  private final int pastWindows;
  private final VolumePolicy policy;
  private final Duration window;
  /** The run's days for {@link #perDay}, else null. */
  private final Days days;

  private CheckVolume(Map<String, List<Long>> history, int pastWindows, VolumePolicy policy, Duration window, Days days) {
    this.history = history;
    this.pastWindows = pastWindows;
    this.policy = policy;
    this.window = window;
    this.days = days;
  }

  /** Past counts per name (same window length); names not listed are not checked. */
  public static CheckVolume of(Map<String, List<Long>> history) {
    Map<String, List<Long>> copy = new LinkedHashMap<>();
    history.forEach((g, h) -> copy.put(g, new ArrayList<>(h)));
    return new CheckVolume(copy, 0, VolumePolicy.defaults(), null, null);
  }

  /**
   * A stream's names (sources, groups), each window's count compared with the name's counts of (at
   * most) the {@code pastWindows} windows before it with items, in the order of their ends whatever
   * order the counts arrive in: the first {@link VolumePolicy#minHistory()} windows of a name get
   * no verdict. Needs {@link #withFixedWindows}.
   */
  public static CheckVolume againstPastWindows(List<String> groups, int pastWindows) {
    if (pastWindows < 1) {
      throw new IllegalArgumentException("a volume check needs at least one past window, not " + pastWindows);
    }
    Map<String, List<Long>> none = new LinkedHashMap<>();
    groups.forEach(g -> none.put(g, List.of()));
    return new CheckVolume(none, pastWindows, VolumePolicy.defaults(), null, null);
  }

  /**
   * A bounded run over the days {@code from..to} that also read the days from {@code historyFrom}
   * on (a backfill's lookback): each name's items per UTC day of their millis, each day of {@code
   * from..to} against the name's counts of (at most) the {@code pastDays} days with items before
   * it, from {@code historyFrom} on. A day of the range without items counts 0 (a day whose input
   * is missing raises an ERROR once the name has history).
   */
  public static CheckVolume perDay(List<String> names, LocalDate historyFrom, LocalDate from, LocalDate to, int pastDays) {
    if (pastDays < 1) {
      throw new IllegalArgumentException("a volume check needs at least one past day, not " + pastDays);
    }
    if (to.isBefore(from) || from.isBefore(historyFrom)) {
      throw new IllegalArgumentException("volume days must be in order: " + historyFrom + " <= " + from + " <= " + to);
    }
    Map<String, List<Long>> none = new LinkedHashMap<>();
    names.forEach(n -> none.put(n, List.of()));
    return new CheckVolume(none, pastDays, VolumePolicy.defaults(), null, new Days(historyFrom, from, to));
  }

  /**
   * Feature rows as items: {@code KV<group, window end millis>}, explicit empties left out. A day
   * holds the rows of its offline partition (the date of the window end); a stream's window holds
   * the rows by their timestamp (1 ms before the window end when emitted on time).
   */
  public static PTransform<PCollection<FeatureRow>, PCollection<KV<String, Long>>> featureRows() {
    return new Items<FeatureRow>(row -> row.empty() ? null : row.group(), FeatureRow::windowEndMillis);
  }

  /** A source's records as items: {@code KV<source, event time millis>}. */
  public static PTransform<PCollection<SourceRecord>, PCollection<KV<String, Long>>> records(String source) {
    return new Items<SourceRecord>(r -> source, SourceRecord::eventTimeMillis);
  }

  /** Elements as items: {@code KV<name, millis>}, an element without a name ({@code null}) left out. */
  private static final class Items<T> extends PTransform<PCollection<T>, PCollection<KV<String, Long>>> {
    private final SerializableFunction<T, String> nameOf;
    private final SerializableFunction<T, Long> millisOf;

    Items(SerializableFunction<T, String> nameOf, SerializableFunction<T, Long> millisOf) {
      this.nameOf = nameOf;
      this.millisOf = millisOf;
    }

    @Override
    public PCollection<KV<String, Long>> expand(PCollection<T> elements) {
      return elements.apply("Items", ParDo.of(new ItemFn<>(nameOf, millisOf)))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    }
  }

  private static final class ItemFn<T> extends DoFn<T, KV<String, Long>> {
    private final SerializableFunction<T, String> nameOf;
    private final SerializableFunction<T, Long> millisOf;

    ItemFn(SerializableFunction<T, String> nameOf, SerializableFunction<T, Long> millisOf) {
      this.nameOf = nameOf;
      this.millisOf = millisOf;
    }

    @ProcessElement
    public void process(@Element T element, OutputReceiver<KV<String, Long>> out) {
      String name = nameOf.apply(element);
      if (name != null) {
        out.output(KV.of(name, millisOf.apply(element)));
      }
    }
  }

  /** The days of {@link #perDay}: history from {@code historyFrom}, checked {@code from..to}. */
  private record Days(LocalDate historyFrom, LocalDate from, LocalDate to) implements Serializable {}

  public CheckVolume withPolicy(VolumePolicy newPolicy) {
    return new CheckVolume(history, pastWindows, newPolicy, window, days);
  }

  public CheckVolume withFixedWindows(Duration length) {
    if (length == null || length.isNegative() || length.isZero()) {
      throw new IllegalArgumentException("volume window must be positive, not " + length);
    }
    if (days != null) {
      throw new IllegalStateException("a check per day has no fixed windows");
    }
    return new CheckVolume(history, pastWindows, policy, length, null);
  }

  @Override
  public PCollection<Alert> expand(PCollection<KV<String, Long>> items) {
    Map<String, List<Long>> known = history;
    if (days != null) {
      return perDay(items, known);
    }
    PCollection<String> groups =
        items.apply("Known", Filter.by((KV<String, Long> item) -> known.containsKey(item.getKey())))
            .apply("Names", Keys.create());
    PCollection<KV<String, Long>> counts;
    if (window == null) {
      PCollection<KV<String, Long>> observed =
          groups.apply("GlobalWindow", Window.into(new GlobalWindows())).apply("Count", Count.perElement());
      List<KV<String, Long>> zeros = new ArrayList<>();
      known.keySet().forEach(g -> zeros.add(KV.of(g, 0L)));
      PCollection<KV<String, Long>> zero =
          items.getPipeline().apply("Zeros", Create.of(zeros).withCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())));
      counts = PCollectionList.of(observed).and(zero).apply("Flatten", Flatten.pCollections())
          .apply("Sum", Sum.longsPerKey());
    } else {
      // a stream: counted within each bundle first (Beam's Flink runner lifts no combiner in streaming)
      counts = groups
          .apply("FixedWindows", Window.into(FixedWindows.of(org.joda.time.Duration.millis(window.toMillis()))))
          .apply("KeyByGroup", WithKeys.of((String group) -> group))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
          .apply("Count", CombineInBundles.perKey(Count.<String>combineFn()));
    }
    if (pastWindows == 0) {
      return counts.apply("Check", ParDo.of(new CheckFn(history, policy))).setCoder(Alert.Coder.of());
    }
    if (window == null) {
      throw new IllegalStateException("a check against past windows needs fixed windows (withFixedWindows)");
    }
    return counts
        .apply("WindowEnds", ParDo.of(new WindowEndFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(VarLongCoder.of(), VarLongCoder.of())))
        .apply("AllWindows", Window.into(new GlobalWindows()))
        .apply("CheckAgainstPast", ParDo.of(new PastWindowsFn(pastWindows, window.toMillis(), policy)))
        .setCoder(Alert.Coder.of());
  }

  private static final long DAY_MILLIS = 86_400_000L;

  private PCollection<Alert> perDay(PCollection<KV<String, Long>> items, Map<String, List<Long>> known) {
    return checkDays(items.apply("CountDays",
        ParDo.of(new CountDaysFn<KV<String, Long>>(known.keySet(), days, KV::getKey, KV::getValue))));
  }

  /**
   * This check per day over a source's records themselves, counted in the step that takes them
   * (no item per record: a backfill's records pass by the million). {@code source} must be one of
   * the names checked.
   */
  public PTransform<PCollection<SourceRecord>, PCollection<Alert>> onRecords(String source) {
    if (days == null) {
      throw new IllegalStateException("only a check per day (perDay) takes records");
    }
    if (!history.containsKey(source)) {
      throw new IllegalArgumentException("source " + source + " is not one of the names checked: " + history.keySet());
    }
    return new RecordsPerDay(this, source);
  }

  private static final class RecordsPerDay extends PTransform<PCollection<SourceRecord>, PCollection<Alert>> {
    private final CheckVolume check;
    private final String source;

    RecordsPerDay(CheckVolume check, String source) {
      this.check = check;
      this.source = source;
    }

    @Override
    public PCollection<Alert> expand(PCollection<SourceRecord> records) {
      String name = source;
      return check.checkDays(records.apply("CountDays",
          ParDo.of(new CountDaysFn<SourceRecord>(List.of(name), check.days, r -> name, SourceRecord::eventTimeMillis))));
    }
  }

  /** Each name's partial counts per day, summed and checked day by day. */
  private PCollection<Alert> checkDays(PCollection<KV<String, KV<Long, Long>>> partialCounts) {
    if (!(partialCounts.getWindowingStrategy().getWindowFn() instanceof GlobalWindows)) {
      throw new IllegalStateException("a check per day counts a bounded input in the global window");
    }
    // a name without any item has no history, so no verdict: only the names counted are checked
    return partialCounts
        .setCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(VarLongCoder.of(), VarLongCoder.of())))
        .apply("DaysOfName", GroupByKey.create())
        .apply("CheckDays", ParDo.of(new DaysFn(pastWindows, days.historyFrom().toEpochDay(),
            days.from().toEpochDay(), days.to().toEpochDay(), policy)))
        .setCoder(Alert.Coder.of());
  }

  /**
   * A bundle's items of the checked names on the days counted (from the history's first day), as
   * partial counts: {@code KV<name, KV<epoch day, items>>} per name and day with items, emitted
   * when the bundle finishes.
   */
  private static final class CountDaysFn<T> extends DoFn<T, KV<String, KV<Long, Long>>> {
    private final Set<String> names;
    private final long first;
    private final long last;
    private final SerializableFunction<T, String> nameOf;
    private final SerializableFunction<T, Long> millisOf;
    private transient Map<String, long[]> perDay;

    CountDaysFn(
        Collection<String> names, Days days, SerializableFunction<T, String> nameOf,
        SerializableFunction<T, Long> millisOf) {
      this.names = new HashSet<>(names);
      this.first = days.historyFrom().toEpochDay();
      this.last = days.to().toEpochDay();
      this.nameOf = nameOf;
      this.millisOf = millisOf;
    }

    @StartBundle
    public void start() {
      perDay = new HashMap<>();
    }

    @ProcessElement
    public void process(@Element T item) {
      long day = Math.floorDiv(millisOf.apply(item), DAY_MILLIS);
      if (day < first || day > last) {
        return;
      }
      String name = nameOf.apply(item);
      long[] counts = perDay.get(name);
      if (counts == null) {
        if (!names.contains(name)) {
          return;
        }
        counts = new long[(int) (last - first + 1)];
        perDay.put(name, counts);
      }
      counts[(int) (day - first)]++;
    }

    @FinishBundle
    public void finish(FinishBundleContext c) {
      perDay.forEach((name, counts) -> {
        for (int d = 0; d < counts.length; d++) {
          if (counts[d] > 0) {
            c.output(KV.of(name, KV.of(first + d, counts[d])), GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
          }
        }
      });
      perDay = null;
    }
  }

  /** A name's days in order: each day of the range against the days with items before it. */
  private static final class DaysFn extends DoFn<KV<String, Iterable<KV<Long, Long>>>, Alert> {
    private final int pastDays;
    private final long historyFrom;
    private final long first;
    private final long last;
    private final VolumePolicy policy;

    DaysFn(int pastDays, long historyFrom, long first, long last, VolumePolicy policy) {
      this.pastDays = pastDays;
      this.historyFrom = historyFrom;
      this.first = first;
      this.last = last;
      this.policy = policy;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<Long, Long>>> days, OutputReceiver<Alert> out) {
      String name = days.getKey();
      Map<Long, Long> counts = new HashMap<>();
      for (KV<Long, Long> d : days.getValue()) {
        counts.merge(d.getKey(), d.getValue(), Long::sum);
      }
      List<Long> seen = new ArrayList<>();
      for (long day = historyFrom; day <= last; day++) {
        long count = counts.getOrDefault(day, 0L);
        if (day >= first) {
          List<Long> past = seen.subList(Math.max(0, seen.size() - pastDays), seen.size());
          VolumeCheck.check(name, count, past, day * DAY_MILLIS, (day + 1) * DAY_MILLIS, policy).ifPresent(out::output);
        }
        if (count > 0) {
          seen.add(count);
        }
      }
    }
  }

  /** A group's count with the end of its window: {@code KV<group, KV<end millis, count>>}. */
  private static final class WindowEndFn extends DoFn<KV<String, Long>, KV<String, KV<Long, Long>>> {
    @ProcessElement
    public void process(@Element KV<String, Long> count, IntervalWindow w, OutputReceiver<KV<String, KV<Long, Long>>> out) {
      out.output(KV.of(count.getKey(), KV.of(w.end().getMillis(), count.getValue())));
    }
  }

  /**
   * Per group, the counts of its windows are checked in the order of their ends: each count waits
   * in {@code pending} until the input watermark passes its window's end (when every window
   * ending before it has been counted), then meets the counts of the windows before it ({@code
   * past}, at most {@code pastWindows}), so catching up on a backlog, whose windows close together,
   * checks them as a live stream would.
   */
  private static final class PastWindowsFn extends DoFn<KV<String, KV<Long, Long>>, Alert> {
    private final int pastWindows;
    private final long windowMillis;
    private final VolumePolicy policy;

    @StateId("pending")
    private final StateSpec<ValueState<Map<Long, Long>>> pendingSpec =
        StateSpecs.value(MapCoder.of(VarLongCoder.of(), VarLongCoder.of()));

    @StateId("past")
    private final StateSpec<ValueState<Map<Long, Long>>> pastSpec =
        StateSpecs.value(MapCoder.of(VarLongCoder.of(), VarLongCoder.of()));

    @TimerId("check")
    private final TimerSpec checkSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    PastWindowsFn(int pastWindows, long windowMillis, VolumePolicy policy) {
      this.pastWindows = pastWindows;
      this.windowMillis = windowMillis;
      this.policy = policy;
    }

    @ProcessElement
    public void process(
        @Element KV<String, KV<Long, Long>> count,
        @StateId("pending") ValueState<Map<Long, Long>> pending,
        @TimerId("check") Timer check) {
      TreeMap<Long, Long> waiting = sorted(pending.read());
      long end = count.getValue().getKey();
      // a window that ends before every waiting one checks first; else the chain reaches it
      boolean first = waiting.isEmpty() || end < waiting.firstKey();
      waiting.put(end, count.getValue().getValue());
      pending.write(waiting);
      if (first) {
        schedule(check, end);
      }
    }

    @OnTimer("check")
    public void onCheck(
        OnTimerContext c,
        @Key String group,
        @StateId("pending") ValueState<Map<Long, Long>> pending,
        @StateId("past") ValueState<Map<Long, Long>> pastState,
        @TimerId("check") Timer check,
        OutputReceiver<Alert> out) {
      long now = c.fireTimestamp().getMillis();
      TreeMap<Long, Long> waiting = sorted(pending.read());
      TreeMap<Long, Long> past = sorted(pastState.read());
      while (!waiting.isEmpty() && waiting.firstKey() <= now) {
        Map.Entry<Long, Long> w = waiting.pollFirstEntry();
        long end = w.getKey();
        List<Long> history = new ArrayList<>(past.headMap(end, false).values());
        VolumeCheck.check(group, w.getValue(), history, end - windowMillis, end, policy)
            .ifPresent(a -> out.outputWithTimestamp(a, new org.joda.time.Instant(end - 1)));
        past.put(end, w.getValue());
        while (past.size() > pastWindows) {
          past.pollFirstEntry();
        }
      }
      pending.write(waiting);
      pastState.write(past);
      if (!waiting.isEmpty()) {
        schedule(check, waiting.firstKey());
      }
    }

    /** Fires when the watermark reaches {@code end}; holds the output at the window's last instant. */
    private static void schedule(Timer check, long end) {
      check.withOutputTimestamp(new org.joda.time.Instant(end - 1)).set(new org.joda.time.Instant(end));
    }

    private static TreeMap<Long, Long> sorted(Map<Long, Long> m) {
      return m == null ? new TreeMap<>() : new TreeMap<>(m);
    }
  }

  private static final class CheckFn extends DoFn<KV<String, Long>, Alert> {
    private final Map<String, List<Long>> history;
    private final VolumePolicy policy;

    CheckFn(Map<String, List<Long>> history, VolumePolicy policy) {
      this.history = history;
      this.policy = policy;
    }

    @ProcessElement
    public void process(@Element KV<String, Long> count, BoundedWindow w, OutputReceiver<Alert> out) {
      long start = w instanceof IntervalWindow iw ? iw.start().getMillis() : 0;
      long end = w instanceof IntervalWindow iw ? iw.end().getMillis() : 0;
      VolumeCheck.check(count.getKey(), count.getValue(), history.get(count.getKey()), start, end, policy)
          .ifPresent(out::output);
    }
  }
}
