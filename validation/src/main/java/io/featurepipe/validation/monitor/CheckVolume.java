package io.featurepipe.validation.monitor;

import io.featurepipe.transforms.group.CombineInBundles;
import io.featurepipe.transforms.record.Alert;
import io.featurepipe.transforms.record.FeatureRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
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
 * VolumeCheck}): an alert per window whose volume strays. In a bounded run a group with no row at
 * all counts 0; in a stream a window without rows emits nothing (a stalled stream raises a
 * freshness alert instead).
 *
 * <pre>{@code
 * rows.apply("CheckVolume", CheckVolume.of(Map.of("user_spend", List.of(1200L, 1180L, 1250L)))
 *     .withFixedWindows(Duration.ofHours(1)));
 * }</pre>
 */
public final class CheckVolume extends PTransform<PCollection<FeatureRow>, PCollection<Alert>> {
  private final Map<String, List<Long>> history;
  private final VolumePolicy policy;
  private final Duration window;

  private CheckVolume(Map<String, List<Long>> history, VolumePolicy policy, Duration window) {
    this.history = history;
    this.policy = policy;
    this.window = window;
  }

  /** Past row counts per group (same window length); groups not listed are not checked. */
  public static CheckVolume of(Map<String, List<Long>> history) {
    Map<String, List<Long>> copy = new LinkedHashMap<>();
    history.forEach((g, h) -> copy.put(g, new ArrayList<>(h)));
    return new CheckVolume(copy, VolumePolicy.defaults(), null);
  }

  public CheckVolume withPolicy(VolumePolicy newPolicy) {
    return new CheckVolume(history, newPolicy, window);
  }

  public CheckVolume withFixedWindows(Duration length) {
    if (length == null || length.isNegative() || length.isZero()) {
      throw new IllegalArgumentException("volume window must be positive, not " + length);
    }
    return new CheckVolume(history, policy, length);
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
    return counts.apply("Check", ParDo.of(new CheckFn(history, policy))).setCoder(Alert.Coder.of());
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
