package io.featurepipe.validation.monitor;

import io.featurepipe.transforms.group.CombineInBundles;
import io.featurepipe.transforms.record.Alert;
import io.featurepipe.transforms.record.FeatureRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Counts each group's feature rows (explicit empties excluded) per fixed window (streams) or per
 * run (bounded), and compares each count with the group's history of past counts ({@link
 * VolumeCheck}): an alert per window whose volume strays. The history is given ({@link #of}), or,
 * in a stream, the group's own counts of the windows before ({@link #againstPastWindows}). In a
 * bounded run a group with no row at all counts 0; in a stream a window without rows emits
 * nothing and is no part of the history (a stalled stream raises a freshness alert instead).
 *
 * <pre>{@code
 * rows.apply("CheckVolume", CheckVolume.of(Map.of("user_spend", List.of(1200L, 1180L, 1250L)))
 *     .withFixedWindows(Duration.ofHours(1)));
 * rows.apply("CheckVolume", CheckVolume.againstPastWindows(List.of("user_spend"), 24)
 *     .withFixedWindows(Duration.ofHours(1)));
 * }</pre>
 */
public final class CheckVolume extends PTransform<PCollection<FeatureRow>, PCollection<Alert>> {
  private final Map<String, List<Long>> history;
  /** How many past windows of its own a group is compared with; 0: the given history. */
  private final int pastWindows;
  private final VolumePolicy policy;
  private final Duration window;

  private CheckVolume(Map<String, List<Long>> history, int pastWindows, VolumePolicy policy, Duration window) {
    this.history = history;
    this.pastWindows = pastWindows;
    this.policy = policy;
    this.window = window;
  }

  /** Past row counts per group (same window length); groups not listed are not checked. */
  public static CheckVolume of(Map<String, List<Long>> history) {
    Map<String, List<Long>> copy = new LinkedHashMap<>();
    history.forEach((g, h) -> copy.put(g, new ArrayList<>(h)));
    return new CheckVolume(copy, 0, VolumePolicy.defaults(), null);
  }

  /**
   * A stream's groups, each window's count compared with the group's counts of (at most) the
   * {@code pastWindows} windows before it with rows, in the order of their ends whatever order
   * the counts arrive in: the first {@link VolumePolicy#minHistory()} windows of a group get no
   * verdict. Needs {@link #withFixedWindows}.
   */
  public static CheckVolume againstPastWindows(List<String> groups, int pastWindows) {
    if (pastWindows < 1) {
      throw new IllegalArgumentException("a volume check needs at least one past window, not " + pastWindows);
    }
    Map<String, List<Long>> none = new LinkedHashMap<>();
    groups.forEach(g -> none.put(g, List.of()));
    return new CheckVolume(none, pastWindows, VolumePolicy.defaults(), null);
  }

  public CheckVolume withPolicy(VolumePolicy newPolicy) {
    return new CheckVolume(history, pastWindows, newPolicy, window);
  }

  public CheckVolume withFixedWindows(Duration length) {
    if (length == null || length.isNegative() || length.isZero()) {
      throw new IllegalArgumentException("volume window must be positive, not " + length);
    }
    return new CheckVolume(history, pastWindows, policy, length);
  }

  @Override
  public PCollection<Alert> expand(PCollection<FeatureRow> rows) {
    Map<String, List<Long>> known = history;
    PCollection<String> groups =
        rows.apply("Groups", Filter.by((FeatureRow r) -> !r.empty() && known.containsKey(r.group())))
            .apply("Group", MapElements.into(TypeDescriptors.strings()).via(FeatureRow::group));
    PCollection<KV<String, Long>> counts;
    if (window == null) {
      PCollection<KV<String, Long>> observed =
          groups.apply("GlobalWindow", Window.into(new GlobalWindows())).apply("Count", Count.perElement());
      List<KV<String, Long>> zeros = new ArrayList<>();
      known.keySet().forEach(g -> zeros.add(KV.of(g, 0L)));
      PCollection<KV<String, Long>> zero =
          rows.getPipeline().apply("Zeros", Create.of(zeros).withCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())));
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
