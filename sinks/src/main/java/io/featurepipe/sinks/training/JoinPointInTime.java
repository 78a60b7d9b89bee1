package io.featurepipe.sinks.training;

import io.featurepipe.sinks.offline.OfflineLayout;
import io.featurepipe.transforms.compute.CompiledGroup;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.time.TimeRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Joins spine rows to the offline store point-in-time (DESIGN §3): for a spine row at time {@code
 * t} and each selected group {@code g}, {@code e = floor((t - g.availability_delay) / g.hop) *
 * g.hop}, and the values are those of the offline row of (g, key, e), or the group's empty values
 * when the store has none. No value from {@code t} or later can reach a row: every offline row at
 * {@code e} aggregates events before {@code e <= t}.
 *
 * <p>Input: {@link SpineRow}s (keys in {@link FeatureSelection#keyColumns()} order). Output: one
 * {@link JoinedRow} per spine row, never dropped (not in spine order).
 *
 * <pre>{@code
 * PCollection<JoinedRow> joined =
 *     spine.apply("JoinPointInTime", JoinPointInTime.of(repository, selection, offlineRoot));
 * }</pre>
 *
 * <p>It is an equality join on (group, key, e) done with shuffles, never a per-key history in
 * memory: {@code RequestValues} turns each spine row into one request per group; {@code
 * CountRequests} counts the distinct join keys (combiner-lifted, so hot keys are cheap); only the
 * offline partitions of their dates are read ({@code ReadOffline}; an unpublished one fails the run);
 * {@code MatchOffline}/{@code ResolveValues} meet, per (group, entity key), the window ends asked
 * for (held in a map: at most one entry per hop of the spine's time range) and the key's offline
 * rows (streamed, never held), and pair each asked window end with its one offline row or the
 * empty values; {@code MatchRequests}/{@code AttachValues} hand the values to the requests; {@code
 * GatherRows}/{@code AssembleRows} put each spine row back together. A join key asked by more than
 * the hot-key threshold of spine rows is spread over {@code ceil(count / threshold)} salted keys,
 * its values copied to each, so no worker holds more than about a threshold of requests per key.
 *
 * <p>Counters ({@code featurepipe}): {@code training_rows_joined}, {@code training_found_<group>},
 * {@code training_empty_<group>}, {@code training_hot_keys}, {@code training_partitions_read},
 * {@code training_offline_rows_read}; distribution {@code training_requests_per_key}.
 */
public final class JoinPointInTime extends PTransform<PCollection<SpineRow>, PCollection<JoinedRow>> {

  /** Default number of spine rows per join key above which the key is spread. */
  public static final long DEFAULT_HOT_KEY_THRESHOLD = 10_000;

  private final FeatureRepository repository;
  private final FeatureSelection selection;
  private final String offlineRoot;
  private final long hotKeyThreshold;

  private JoinPointInTime(
      FeatureRepository repository, FeatureSelection selection, String offlineRoot, long hotKeyThreshold) {
    this.repository = repository;
    this.selection = selection;
    this.offlineRoot = offlineRoot;
    this.hotKeyThreshold = hotKeyThreshold;
  }

  /** Joins the selected features of {@code repository} from the offline store under {@code offlineRoot}. */
  public static JoinPointInTime of(FeatureRepository repository, FeatureSelection selection, String offlineRoot) {
    if (offlineRoot == null || offlineRoot.isBlank()) {
      throw new IllegalArgumentException("the offline root is empty: name the folder the backfills wrote");
    }
    for (FeatureGroupDef g : selection.groups()) {
      repository.group(g.name());
    }
    return new JoinPointInTime(repository, selection, offlineRoot, DEFAULT_HOT_KEY_THRESHOLD);
  }

  /** Spreads join keys asked by more than {@code threshold} spine rows (default {@value #DEFAULT_HOT_KEY_THRESHOLD}). */
  public JoinPointInTime withHotKeyThreshold(long threshold) {
    if (threshold < 1) {
      throw new IllegalArgumentException("the hot-key threshold must be at least 1, not " + threshold);
    }
    return new JoinPointInTime(repository, selection, offlineRoot, threshold);
  }

  @Override
  public PCollection<JoinedRow> expand(PCollection<SpineRow> spine) {
    List<String> groupNames = new ArrayList<>();
    List<String> versions = new ArrayList<>();
    List<Object[]> empties = new ArrayList<>();
    for (FeatureGroupDef g : selection.groups()) {
      groupNames.add(g.name());
      versions.add(g.version());
      empties.add(CompiledGroup.of(repository, g).emptyValues());
    }
    KvCoder<JoinKey, Long> requestCoder = KvCoder.of(JoinKey.Coder.of(), VarLongCoder.of());
    KvCoder<JoinKey, FeatureRow> valueCoder = KvCoder.of(JoinKey.Coder.of(), FeatureRow.Coder.of());

    PCollection<KV<JoinKey, Long>> requests =
        spine.apply("RequestValues", ParDo.of(new JoinSteps.RequestFn(selection))).setCoder(requestCoder);
    PCollection<KV<JoinKey, Long>> counts =
        requests.apply("CountRequests", Count.perKey()).setCoder(requestCoder);

    List<String> partitionOf = new ArrayList<>();
    for (FeatureGroupDef g : selection.groups()) {
      partitionOf.add(g.name() + "/" + g.versionTag() + "/");
    }
    PCollection<KV<JoinKey, FeatureRow>> offline =
        counts
            .apply(
                "PartitionsNeeded",
                MapElements.into(TypeDescriptors.strings())
                    .via(c -> partitionOf.get(c.getKey().group()) + "date="
                        + OfflineLayout.dateOf(c.getKey().windowEndMillis())))
            .setCoder(StringUtf8Coder.of())
            .apply("DistinctPartitions", Distinct.create())
            .apply("ReadOffline", new ReadRequestedPartitions(selection, offlineRoot))
            .apply("KeyOfflineRows", ParDo.of(new JoinSteps.KeyOfflineFn(groupNames)))
            .setCoder(valueCoder);
    PCollection<KV<JoinKey, KV<Long, Long>>> requestedEnds =
        counts
            .apply("ByEntityKey", ParDo.of(new JoinSteps.ByEntityFn()))
            .setCoder(KvCoder.of(JoinKey.Coder.of(), KvCoder.of(VarLongCoder.of(), VarLongCoder.of())));

    PCollection<KV<JoinKey, FeatureRow>> resolved =
        KeyedPCollectionTuple.of(JoinSteps.REQUESTED, requestedEnds)
            .and(JoinSteps.OFFLINE, offline)
            .apply("MatchOffline", CoGroupByKey.create())
            .apply("ResolveValues", ParDo.of(new JoinSteps.ResolveFn(groupNames, versions, empties, hotKeyThreshold)))
            .setCoder(valueCoder);

    long threshold = hotKeyThreshold;
    PCollectionView<Map<JoinKey, Long>> hot =
        counts
            .apply("HotKeys", Filter.by((KV<JoinKey, Long> c) -> c.getValue() > threshold))
            .apply("HotKeysView", View.asMap());
    PCollection<KV<JoinKey, Long>> salted =
        requests
            .apply("SpreadHotKeys", ParDo.of(new JoinSteps.SaltFn(hot, hotKeyThreshold)).withSideInputs(hot))
            .setCoder(requestCoder);

    PCollection<KV<Long, FeatureRow>> valuesById =
        KeyedPCollectionTuple.of(JoinSteps.IDS, salted)
            .and(JoinSteps.VALUES, resolved)
            .apply("MatchRequests", CoGroupByKey.create())
            .apply("AttachValues", ParDo.of(new JoinSteps.AttachFn(groupNames)))
            .setCoder(KvCoder.of(VarLongCoder.of(), FeatureRow.Coder.of()));

    PCollection<KV<Long, SpineRow>> spineById =
        spine
            .apply("KeySpineRows", WithKeys.of((SpineRow r) -> r.id()).withKeyType(TypeDescriptor.of(Long.class)))
            .setCoder(KvCoder.of(VarLongCoder.of(), SpineRow.Coder.of()));
    return KeyedPCollectionTuple.of(JoinSteps.SPINE, spineById)
        .and(JoinSteps.ROWS, valuesById)
        .apply("GatherRows", CoGroupByKey.create())
        .apply("AssembleRows", ParDo.of(new JoinSteps.AssembleFn(groupNames)))
        .setCoder(JoinedRow.Coder.of());
  }
}
