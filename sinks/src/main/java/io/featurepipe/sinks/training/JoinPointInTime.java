package io.featurepipe.sinks.training;

import io.featurepipe.sinks.offline.OfflineRecords;
import io.featurepipe.transforms.compute.CompiledGroup;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.range.OffsetRange;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Joins spine rows to the offline store point-in-time (DESIGN §3): for a spine row at time {@code
 * t} and each selected group {@code g}, {@code e = floor((t - g.availability_delay) / g.hop) *
 * g.hop}, and the values are those of the offline row of (g, key, e), or the group's empty values
 * when the store has none. No value from {@code t} or later can reach a row: every offline row at
 * {@code e} aggregates events before {@code e <= t}.
 *
 * <p>Input: {@link SpineRow}s in the global window (keys in {@link FeatureSelection#keyColumns()}
 * order). Output: one {@link JoinedRow} per spine row, never dropped (not in spine order).
 *
 * <pre>{@code
 * PCollection<JoinedRow> joined =
 *     spine.apply("JoinPointInTime", JoinPointInTime.of(repository, selection, offlineRoot));
 * }</pre>
 *
 * <p>It is an equality join done with one shuffle per group, chained: the spine rows go through
 * the groups in selection order, each {@code Join/<group>/Match} a stateful step keyed by
 * <em>bucket</em> (group, entity key, UTC month of e(t), or date for hops under 45 minutes) that
 * gathers the group's offline rows of that key and period ({@code Join/<group>/KeyOfflineRows})
 * and the spine rows, joined so far, whose e(t) falls in it ({@code Join/<group>/Inputs}, a
 * flatten). When the bucket's input has ended (a timer at the end of the global window) its
 * offline rows are put in a map by window end (at most one per hop of the period, whatever the
 * spine's size) and its spine rows go past it: each leaves with the group's row at its e(t), or
 * the empty values, appended, and keyed by its bucket of the next group; after the last group they
 * are the joined rows ({@code JoinedRows}). There is no shuffle by spine row. Why a stateful step
 * rather than a {@code CoGroupByKey}: on Flink, Beam's batch grouping gathers each bundle's values
 * per key into lists before the shuffle and buffers and flattens them after, which buckets that
 * rarely repeat within a bundle only pay for (a full-size training set 43.4 s against 30.9 s with
 * this step); and its grouped values could be read only once.
 *
 * <p>Before the chain, {@code RequestBuckets} names each spine row's bucket, offline partition
 * ({@code <group>/v<version>/date=<date of e>}) and lookup (group, key, e(t)) of every group. Only
 * the distinct partitions are read ({@code DistinctPartitions}, {@code OfflineRanges}: their
 * published files in ranges; an unpublished one fails the run), each range by {@code
 * Join/<group>/KeyOfflineRows}, which drops the offline rows no spine row looks up as it decodes
 * them, before any shuffle ({@code LookupsView}: a Bloom filter of the lookups, see {@link
 * LookupFilter}). {@code
 * CountRequests} sums the spine rows per bucket ({@code RequestBuckets} gathers the buckets,
 * partitions and lookups per bundle, each once: a batch bundle's thousands of spine rows ask far
 * fewer partitions than they have rows); a bucket asked by more than
 * the hot-key threshold of spine rows ({@code HotBuckets}, {@code HotBucketsView}) is spread over
 * {@code ceil(count / threshold)} salts (a hash of the spine row id modulo that), its offline rows copied to each
 * salt, so no worker holds more than about a threshold of spine rows per key. A spine row's salts
 * in every group are drawn when it enters the chain ({@code Join/<first group>/KeySpineRows}) and
 * travel with it ({@link PendingRow}), so that no later step reads a side input (on Flink a
 * step with side inputs is not chained and checks them per element). A group's threshold
 * is lowered so that a bucket's spine rows and a period of its offline rows stay within 10,000
 * elements of state ({@link JoinSteps#threshold}).
 *
 * <p>Counters ({@code featurepipe}): {@code training_rows_joined}, {@code training_found_<group>},
 * {@code training_empty_<group>}, {@code training_hot_keys} (hot buckets), {@code
 * training_partitions_read}, {@code training_offline_rows_read}; distribution {@code
 * training_requests_per_key} (spine rows per bucket and salt).
 */
public final class JoinPointInTime extends PTransform<PCollection<SpineRow>, PCollection<JoinedRow>> {

  /**
   * Default number of spine rows per bucket (group, key, and the month of the window end, or its
   * date for hops under 45 minutes) above which the bucket is spread.
   */
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

  /** Spreads buckets asked by more than {@code threshold} spine rows (default {@value #DEFAULT_HOT_KEY_THRESHOLD}). */
  public JoinPointInTime withHotKeyThreshold(long threshold) {
    if (threshold < 1) {
      throw new IllegalArgumentException("the hot-key threshold must be at least 1, not " + threshold);
    }
    return new JoinPointInTime(repository, selection, offlineRoot, threshold);
  }

  @Override
  public PCollection<JoinedRow> expand(PCollection<SpineRow> spine) {
    List<FeatureGroupDef> groups = selection.groups();
    List<JoinSteps.GroupTime> times = JoinSteps.GroupTime.of(selection, hotKeyThreshold);
    KvCoder<Bucket, Long> countCoder = KvCoder.of(Bucket.Coder.of(), VarLongCoder.of());

    if (!(spine.getWindowingStrategy().getWindowFn() instanceof GlobalWindows)) {
      throw new IllegalArgumentException("a spine is joined in the global window, not in "
          + spine.getWindowingStrategy().getWindowFn());
    }
    PCollectionTuple requests =
        spine.apply("RequestBuckets", ParDo.of(new JoinSteps.RequestBucketsFn(times))
            .withOutputTags(JoinSteps.BUCKETS, TupleTagList.of(JoinSteps.PARTITIONS).and(JoinSteps.LOOKUPS)));

    PCollectionList<KV<FileIO.ReadableFile, OffsetRange>> offline =
        requests.get(JoinSteps.PARTITIONS)
            .setCoder(StringUtf8Coder.of())
            .apply("DistinctPartitions", Distinct.create())
            .apply("OfflineRanges", new RequestedRanges(selection, offlineRoot));
    PCollectionView<LookupFilter> asked =
        requests.get(JoinSteps.LOOKUPS)
            .setCoder(LookupFilter.Hashes.Coder.INSTANCE)
            .apply("LookupsView", Combine.globally(new LookupFilter.Build()).asSingletonView());
    PCollectionView<Map<Bucket, Long>> hot =
        requests.get(JoinSteps.BUCKETS)
            .setCoder(countCoder)
            .apply("CountRequests", Sum.longsPerKey())
            .setCoder(countCoder)
            .apply("HotBuckets", ParDo.of(new JoinSteps.HotBucketsFn(times)))
            .setCoder(countCoder)
            .apply("HotBucketsView", View.asMap());

    KvCoder<Bucket, JoinInput> inputCoder = KvCoder.of(Bucket.Coder.of(), JoinInput.Coder.of());
    PCollection<KV<Bucket, JoinInput>> asking =
        spine
            .apply("Join/" + groups.get(0).name() + "/KeySpineRows",
                ParDo.of(new JoinSteps.KeySpineRowsFn(times, hot)).withSideInputs(hot))
            .setCoder(inputCoder);
    for (int g = 0; g < groups.size(); g++) {
      FeatureGroupDef def = groups.get(g);
      String step = "Join/" + def.name() + "/";
      PCollection<KV<Bucket, JoinInput>> stored =
          offline.get(g)
              .apply(step + "KeyOfflineRows",
                  ParDo.of(new JoinSteps.KeyOfflineRowsFn(
                          g, times.get(g), new OfflineRecords(def, selection.entityOf(def)), hot, asked))
                      .withSideInputs(hot, asked))
              .setCoder(inputCoder);
      JoinSteps.Attach attach =
          new JoinSteps.Attach(g, def, CompiledGroup.of(repository, def).emptyValues(), times.get(g));
      asking =
          PCollectionList.of(stored).and(asking)
              .apply(step + "Inputs", Flatten.pCollections())
              .setCoder(inputCoder)
              .apply(step + "Match",
                  ParDo.of(new JoinSteps.MatchFn(attach, g + 1 < groups.size() ? times.get(g + 1) : null)))
              .setCoder(inputCoder);
    }
    PCollection<JoinedRow> rows =
        asking.apply("JoinedRows", ParDo.of(new JoinSteps.JoinedFn())).setCoder(JoinedRow.Coder.of());
    return rows;
  }
}
