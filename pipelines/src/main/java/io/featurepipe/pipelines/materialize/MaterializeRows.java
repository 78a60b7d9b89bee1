package io.featurepipe.pipelines.materialize;

import io.featurepipe.sinks.offline.OfflineLayout;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.OnlineWriteResult;
import io.featurepipe.sinks.online.ToOnlineCells;
import io.featurepipe.sinks.online.WriteOnline;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.sideinput.BundleSideInput;
import io.featurepipe.transforms.time.TimeRules;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Feature rows of a range of days → the online store, by the batch side of the one-writer rule
 * (DESIGN §3): the rows' window ends in {@code [from 00:00, to + 1 day 00:00)} are turned into the
 * cells a stream would have written ({@link ToOnlineCells}: explicit empties, changed values,
 * periodic rewrites, every feature at the range's first window end) and written by {@link
 * WriteOnline#batch}: every window end when no stream is registered for the group, else only those
 * before the stream's first owned window end and final ({@code <= M - allowed_lateness}); then the
 * watermark cell M advances through the range (to each group's last window end of {@code to}).
 *
 * <p>Input: the rows of the range and of at least one hop before it (the day before, which decides
 * the explicit empties at the range's first window end); the rows of {@code ComputeFeatures} in a
 * backfill over the range (whose lookback covers it), or the published offline partitions {@code
 * from - 1 .. to} ({@link Materialize}). Explicit empty rows, rows of other groups and rows outside
 * that span are ignored.
 *
 * <pre>{@code
 * OnlineWriteResult online = rows.apply("MaterializeRows",
 *     MaterializeRows.of(target, repository, from, to).withGroups(List.of("user_spend")));
 * }</pre>
 *
 * <p><b>Behind a quality gate</b> ({@code backfill --bigtable}): {@link #withGate} takes a singleton
 * view that is true when the gate passes (e.g. {@code decision.apply(MapElements...(d -> d.verdict()
 * != BLOCK)).apply(View.asSingleton())}); no row reaches the store before the view is computed (a
 * side input waits for the gate's window, so for the whole run's statistics), and none when it is
 * false (counted as {@code online_rows_gated}). A gated write cannot know before the run whether it
 * will write, so M then advances to the latest window end written rather than to the range's end;
 * where M must reach the range's end whatever the rows (a quiet group), decide the gate after the
 * run and materialize the published partitions with {@link Materialize}.
 *
 * <p>Steps: {@code SelectRange}, {@code ToOnlineCells}, {@code WriteOnline}.
 */
public final class MaterializeRows extends PTransform<PCollection<FeatureRow>, OnlineWriteResult> {
  private final BigtableTarget target;
  private final FeatureRepository repository;
  private final LocalDate from;
  private final LocalDate to;
  private final List<String> groups;
  private final PCollectionView<Boolean> gate;

  private MaterializeRows(
      BigtableTarget target, FeatureRepository repository, LocalDate from, LocalDate to, List<String> groups,
      PCollectionView<Boolean> gate) {
    this.target = target;
    this.repository = repository;
    this.from = from;
    this.to = to;
    this.groups = groups;
    this.gate = gate;
  }

  /** The window ends of the days {@code from..to} (inclusive, UTC) of every online group. */
  public static MaterializeRows of(BigtableTarget target, FeatureRepository repository, LocalDate from, LocalDate to) {
    if (target == null || repository == null || from == null || to == null) {
      throw new IllegalArgumentException("materialize needs a Bigtable target, a repository and a range of days");
    }
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("--to " + to + " is before --from " + from);
    }
    List<String> online = new ArrayList<>();
    for (FeatureGroupDef g : repository.allGroups()) {
      if (g.online()) {
        online.add(g.name());
      }
    }
    return new MaterializeRows(target, repository, from, to, online, null);
  }

  /** Only these groups (each must be online). */
  public MaterializeRows withGroups(List<String> names) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("no feature groups chosen");
    }
    for (String g : names) {
      if (!repository.group(g).online()) {
        throw new IllegalArgumentException("feature group '" + g + "' is not online (online: false)");
      }
    }
    return new MaterializeRows(target, repository, from, to, List.copyOf(names), gate);
  }

  /** Writes only once {@code open} is computed, and nothing when it is false. */
  public MaterializeRows withGate(PCollectionView<Boolean> open) {
    if (open == null) {
      throw new IllegalArgumentException("the gate view must not be null");
    }
    return new MaterializeRows(target, repository, from, to, groups, open);
  }

  /** The first window end of the range (midnight of {@code from}). */
  public Instant rangeStart() {
    return Instant.ofEpochMilli(OfflineLayout.startOf(from));
  }

  /** The end of the range, exclusive (midnight after {@code to}). */
  public Instant rangeEnd() {
    return Instant.ofEpochMilli(OfflineLayout.startOf(to.plusDays(1)));
  }

  @Override
  public OnlineWriteResult expand(PCollection<FeatureRow> rows) {
    Map<String, Long> firstKept = new HashMap<>();
    for (String g : groups) {
      FeatureGroupDef def = repository.group(g);
      firstKept.put(g, rangeStart().toEpochMilli() - TimeRules.millis(def.hop()));
    }
    SelectRangeFn select = new SelectRangeFn(firstKept, rangeEnd().toEpochMilli(), gate);
    ParDo.SingleOutput<FeatureRow, FeatureRow> selectStep = ParDo.of(select);
    if (gate != null) {
      selectStep = selectStep.withSideInputs(gate);
    }
    WriteOnline write = WriteOnline.batch(target, repository).withGroups(groups);
    if (gate == null) {
      write = write.withRangeEnd(rangeEnd());
    }
    return rows.apply("SelectRange", selectStep)
        .setCoder(FeatureRow.Coder.of())
        .apply("ToOnlineCells", ToOnlineCells.of(repository, rangeStart(), rangeEnd()))
        .apply("WriteOnline", write);
  }

  /**
   * The non-empty rows of the chosen groups from one hop before the range to its end; behind a
   * gate, only when it is open.
   */
  static final class SelectRangeFn extends DoFn<FeatureRow, FeatureRow> {
    private final Map<String, Long> firstKept;
    private final long endMillis;
    private final BundleSideInput<Boolean> gate;
    private final Counter gated = Metrics.counter("featurepipe", "online_rows_gated");

    SelectRangeFn(Map<String, Long> firstKept, long endMillis, PCollectionView<Boolean> gate) {
      this.firstKept = Map.copyOf(firstKept);
      this.endMillis = endMillis;
      this.gate = gate == null ? null : BundleSideInput.of(gate);
    }

    @StartBundle
    public void start() {
      if (gate != null) {
        gate.reset();
      }
    }

    @ProcessElement
    public void process(@Element FeatureRow row, ProcessContext c, BoundedWindow window) {
      Long first = firstKept.get(row.group());
      if (row.empty() || first == null || row.windowEndMillis() < first || row.windowEndMillis() >= endMillis) {
        return;
      }
      if (gate != null && !Boolean.TRUE.equals(gate.get(c, window))) {
        gated.inc();
        return;
      }
      c.output(row);
    }
  }
}
