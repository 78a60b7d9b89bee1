package io.featurepipe.sinks.online;

import com.google.protobuf.ByteString;
import io.featurepipe.transforms.compute.CompiledGroup;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.time.TimeRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.extensions.protobuf.ByteStringCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Offline rows → the rows a stream would have written online, for {@code materialize} (offline
 * partitions → Bigtable): per key, in window-end order, the explicit empties the offline store does
 * not keep and the {@code onlineWrites} it does not record ({@link CellReconstruction}), for the
 * window ends in {@code [from, until)} of each group. Feed the result to {@link
 * WriteOnline#batch}.
 *
 * <p>Lookback: give it the rows of at least one hop before {@code from} as well (the partition of
 * the day before, with {@code ReadOffline}): a key whose last row is one hop before {@code from}
 * has its explicit empty at {@code from}. No longer lookback is needed, because every feature of
 * every row at {@code from} is written (the writes before the range are not known), exactly as a
 * stream does at its first owned window end; after {@code from} only changes and periodic rewrites
 * are written, so the cells read the same as a stream's.
 *
 * <pre>{@code
 * PCollection<FeatureRow> offline = p.apply(ReadOffline.of(repo, root, groups, d1.minusDays(1), d2));
 * offline.apply("ToOnlineCells", ToOnlineCells.of(repo, startOf(d1), startOf(d2.plusDays(1))))
 *        .apply("WriteOnline", WriteOnline.batch(target, repo).withRangeEnd(startOf(d2.plusDays(1))));
 * }</pre>
 *
 * One key's rows of the range are held in memory together (a key has at most one row per hop).
 */
public final class ToOnlineCells extends PTransform<PCollection<FeatureRow>, PCollection<FeatureRow>> {
  private final FeatureRepository repository;
  private final long fromMillis;
  private final long untilMillis;

  private ToOnlineCells(FeatureRepository repository, long fromMillis, long untilMillis) {
    this.repository = repository;
    this.fromMillis = fromMillis;
    this.untilMillis = untilMillis;
  }

  /** Rows for the window ends in {@code [from, until)}. */
  public static ToOnlineCells of(FeatureRepository repository, Instant from, Instant until) {
    if (!until.isAfter(from)) {
      throw new IllegalArgumentException("the range ends (" + until + ") before it starts (" + from + ")");
    }
    return new ToOnlineCells(repository, from.toEpochMilli(), until.toEpochMilli());
  }

  @Override
  public PCollection<FeatureRow> expand(PCollection<FeatureRow> rows) {
    return rows.apply("KeyByGroupAndKey", ParDo.of(new KeyFn(repository)))
        .setCoder(KvCoder.of(ByteStringCoder.of(), FeatureRow.Coder.of()))
        .apply("GroupRowsOfKey", GroupByKey.create())
        .apply("Reconstruct", ParDo.of(new ReconstructFn(repository, fromMillis, untilMillis)))
        .setCoder(FeatureRow.Coder.of());
  }

  /** Keys each row by its group, version and entity key (the row key's bytes). */
  static final class KeyFn extends DoFn<FeatureRow, KV<ByteString, FeatureRow>> {
    private final FeatureRepository repository;

    KeyFn(FeatureRepository repository) {
      this.repository = repository;
    }

    @ProcessElement
    public void process(@Element FeatureRow r, OutputReceiver<KV<ByteString, FeatureRow>> out) {
      FeatureGroupDef g = repository.group(r.group());
      out.output(KV.of(
          ByteString.copyFromUtf8(r.group() + "\u0000" + r.version() + "\u0000")
              .concat(OnlineLayout.rowKey(repository.entity(g.entity()), r.key())),
          r));
    }
  }

  static final class ReconstructFn extends DoFn<KV<ByteString, Iterable<FeatureRow>>, FeatureRow> {
    private final FeatureRepository repository;
    private final long fromMillis;
    private final long untilMillis;
    private transient Map<String, CellReconstruction> byGroup;

    ReconstructFn(FeatureRepository repository, long fromMillis, long untilMillis) {
      this.repository = repository;
      this.fromMillis = fromMillis;
      this.untilMillis = untilMillis;
    }

    @Setup
    public void setup() {
      byGroup = new HashMap<>();
      for (FeatureGroupDef g : repository.allGroups()) {
        long hop = TimeRules.millis(g.hop());
        long from = Math.floorDiv(fromMillis + hop - 1, hop) * hop;
        long through = Math.floorDiv(untilMillis - 1, hop) * hop;
        byGroup.put(g.name(), new CellReconstruction(
            hop, TimeRules.millis(g.longestWindow()), CompiledGroup.of(repository, g).emptyValues(), from, through));
      }
    }

    @ProcessElement
    public void process(@Element KV<ByteString, Iterable<FeatureRow>> keyRows, OutputReceiver<FeatureRow> out) {
      List<FeatureRow> rows = new ArrayList<>();
      keyRows.getValue().forEach(rows::add);
      for (FeatureRow r : byGroup.get(rows.get(0).group()).rows(rows)) {
        out.output(r);
      }
    }
  }
}
