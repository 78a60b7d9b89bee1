package io.featurepipe.sinks.online;

import com.google.bigtable.v2.Mutation;
import com.google.protobuf.ByteString;
import io.featurepipe.transforms.group.CombineInBundles;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.time.TimeRules;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.protobuf.ByteStringCoder;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.io.gcp.bigtable.BigtableIO;
import org.apache.beam.sdk.io.gcp.bigtable.BigtableWriteResult;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;

/**
 * Writes feature rows into the online store (DESIGN §3, §4) through {@link BigtableIO}, then
 * advances the watermark cell M of each (group, version).
 *
 * <p>Only the features in each row's {@code onlineWrites} are written, one cell per feature with
 * timestamp = window end, so rewriting a row is idempotent and a late restatement of an old window
 * end never hides a newer one. M moves to a window end {@code e} only once every row with window
 * end {@code <= e} has been written: for unbounded inputs the window ends are combined per fixed
 * window of the groups' common hop and each waits ({@link AwaitCellWrites}) until the watermark of
 * the cell writes has passed it, so M follows the event-time progress after the write, never the
 * wall clock; for bounded inputs M moves once the whole write has finished ({@link Wait#on}). M never moves back (see {@link
 * StoreMetadata}).
 *
 * <p>Two modes implement the one-writer rule ({@link WriterOwnership}):
 *
 * <pre>{@code
 * // a stream that has read every event since S
 * rows.apply("WriteOnline", WriteOnline.stream(target, repository, streamStart));
 * // materialize / backfill: owns what no registered stream owns
 * rows.apply("WriteOnline", WriteOnline.batch(target, repository).withRangeEnd(end));
 * }</pre>
 *
 * Rows come from {@code ComputeFeatures} (streams, backfills) or {@link ToOnlineCells} (offline
 * partitions). Rows of groups not written (by default those with {@code online: false}) are
 * counted ({@code online_rows_of_other_groups}) and skipped; rows that cannot be stored go to the
 * dead-letter output. The table and its families must exist ({@link PrepareOnlineStore}).
 *
 * <p>A late restatement of a row ({@code FeatureRow.restated()}) writes the same cells as the row
 * it restates, so for unbounded inputs the two writes are ordered: restatements wait until the
 * watermark of the cell writes has passed their window end, then a keyed step writes each row key's
 * restatements synchronously, one at a time, skipping one whose sequence is not above the last
 * written for the same cells, and reading each one back a few times after to write it again if an
 * older write landed after it (see {@link WriteRestatementsFn}; metrics {@code
 * online_restatements_written}, {@code online_restatements_superseded}, {@code
 * online_restatements_repaired}). Restatements are rare (late data only), so a synchronous write
 * and a few reads per restatement are cheap.
 *
 * <p>Steps: {@code SelectOwnedCells}, {@code WriteCells}, {@code LatestWindowEnds}, {@code
 * AwaitCells}, {@code ToWatermarkCells}, {@code WriteWatermarks}; for unbounded inputs also {@code
 * WindowByHop}, {@code WindowEndsByHop}, {@code RestatementsInOneWindow}, {@code
 * ProgressOfOriginals}, {@code ProgressInOneWindow}, {@code AwaitOriginals}, {@code
 * WriteRestatements}.
 */
public final class WriteOnline extends PTransform<PCollection<FeatureRow>, OnlineWriteResult> {
  private final BigtableTarget target;
  private final FeatureRepository repository;
  private final List<String> groups;
  private final Long streamStartMillis;
  private final Long rangeEndMillis;

  private WriteOnline(
      BigtableTarget target, FeatureRepository repository, List<String> groups, Long streamStartMillis, Long rangeEndMillis) {
    this.target = target;
    this.repository = repository;
    this.groups = groups;
    this.streamStartMillis = streamStartMillis;
    this.rangeEndMillis = rangeEndMillis;
  }

  /**
   * Stream mode: the input is a stream that read every event since {@code streamStart}; it writes
   * the window ends from {@link WriterOwnership#streamOwnsFrom} on, every feature at the first of
   * them and afterwards the rows' {@code onlineWrites}, and registers its start in the metadata
   * rows (a later registered start wins).
   */
  public static WriteOnline stream(BigtableTarget target, FeatureRepository repository, Instant streamStart) {
    if (streamStart == null) {
      throw new IllegalArgumentException("a stream needs the time S since which it read every event");
    }
    if (streamStart.toEpochMilli() < 0) {
      throw new IllegalArgumentException("stream start " + streamStart + " is before 1970");
    }
    return new WriteOnline(check(target), repository, onlineGroups(repository), streamStart.toEpochMilli(), null);
  }

  /**
   * Batch mode (materialize, backfill): writes the window ends no registered stream owns — before
   * its first owned window end and no later than {@code M - allowed_lateness} — or all of them when
   * no stream is registered, then advances M to the last window end written.
   */
  public static WriteOnline batch(BigtableTarget target, FeatureRepository repository) {
    return new WriteOnline(check(target), repository, onlineGroups(repository), null, null);
  }

  /** Writes only these groups. */
  public WriteOnline withGroups(Collection<String> groupNames) {
    if (groupNames.isEmpty()) {
      throw new IllegalArgumentException("no feature groups chosen");
    }
    for (String g : groupNames) {
      repository.group(g);
    }
    return new WriteOnline(target, repository, List.copyOf(groupNames), streamStartMillis, rangeEndMillis);
  }

  /**
   * Batch mode: the input holds every row of the range ending (exclusive) at {@code end}; when no
   * stream is registered, M advances to each group's last window end before {@code end} even if
   * the group has no row there.
   */
  public WriteOnline withRangeEnd(Instant end) {
    if (streamStartMillis != null) {
      throw new IllegalArgumentException("a range end is for batch writers; a stream's M follows its watermark");
    }
    return new WriteOnline(target, repository, groups, null, end.toEpochMilli());
  }

  private static BigtableTarget check(BigtableTarget target) {
    if (target == null) {
      throw new IllegalArgumentException("no Bigtable target");
    }
    return target;
  }

  private static List<String> onlineGroups(FeatureRepository repository) {
    List<String> out = new ArrayList<>();
    for (FeatureGroupDef g : repository.allGroups()) {
      if (g.online()) {
        out.add(g.name());
      }
    }
    return out;
  }

  @Override
  public OnlineWriteResult expand(PCollection<FeatureRow> rows) {
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("no feature group of the repository is online");
    }
    boolean unbounded = rows.isBounded() == PCollection.IsBounded.UNBOUNDED;
    PCollectionTuple selected =
        rows.apply(
            "SelectOwnedCells",
            ParDo.of(new SelectOwnedCells(target, repository, groups, streamStartMillis, unbounded))
                .withOutputTags(
                    SelectOwnedCells.MUTATIONS,
                    TupleTagList.of(SelectOwnedCells.WINDOW_ENDS)
                        .and(SelectOwnedCells.RESTATEMENTS)
                        .and(SelectOwnedCells.WRITTEN)
                        .and(SelectOwnedCells.DEAD_LETTERS)));
    PCollection<KV<ByteString, Iterable<Mutation>>> mutations =
        selected.get(SelectOwnedCells.MUTATIONS).setCoder(mutationCoder());
    PCollection<KV<String, Long>> windowEnds =
        selected.get(SelectOwnedCells.WINDOW_ENDS).setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    selected.get(SelectOwnedCells.WRITTEN).setCoder(FeatureRow.Coder.of());
    selected.get(SelectOwnedCells.DEAD_LETTERS).setCoder(DeadLetter.Coder.of());
    PCollection<KV<ByteString, Restatement>> restatements =
        selected.get(SelectOwnedCells.RESTATEMENTS).setCoder(KvCoder.of(ByteStringCoder.of(), Restatement.Coder.of()));
    if (unbounded) {
      // fixed windows of the common hop: window [e - hop, e) holds window end e, combined to one
      // element per group and hop; M moves to e once the writes' watermark has passed e.
      // Restatements (their own output, see writeRestatementsAfter) arrive behind the watermark;
      // their window ends, already covered by M, are dropped here.
      Duration hop = Duration.millis(commonHop());
      mutations = mutations.apply("WindowByHop",
          Window.<KV<ByteString, Iterable<Mutation>>>into(FixedWindows.of(hop)).withAllowedLateness(Duration.ZERO));
      windowEnds = windowEnds.apply("WindowEndsByHop",
          Window.<KV<String, Long>>into(FixedWindows.of(hop)).withAllowedLateness(Duration.ZERO));
    }
    PCollection<BigtableWriteResult> written =
        mutations.apply("WriteCells", target.applyTo(BigtableIO.write()).withWriteResults());
    if (unbounded) {
      writeRestatementsAfter(restatements, written);
    }
    if (!unbounded && streamStartMillis == null && rangeEndMillis != null) {
      PCollection<KV<String, Long>> rangeEnds =
          rows.getPipeline()
              .apply("GroupsOfRange", Create.of(groups).withCoder(StringUtf8Coder.of()))
              .apply("RangeEnds", ParDo.of(new RangeEndFn(target, repository, rangeEndMillis)))
              .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
      windowEnds = PCollectionList.of(windowEnds).and(rangeEnds).apply("WithRangeEnds", Flatten.pCollections());
    }
    // one window end per written row: a stream combines them within each bundle first (Beam's Flink
    // runner lifts no combiner in streaming: per row, the grouping read and wrote its state)
    PCollection<KV<String, Long>> latest = windowEnds.apply("LatestWindowEnds",
        unbounded ? CombineInBundles.perKey(Max.ofLongs()) : Combine.perKey(Max.ofLongs()));
    // bounded: the whole write, then M; unbounded: each window end once the writes' watermark passed it
    PCollection<KV<String, Long>> advances =
        unbounded ? latest.apply("AwaitCells", AwaitCellWrites.on(written)) : latest.apply("AwaitCells", Wait.on(written));
    PCollection<BigtableWriteResult> watermarkWrites =
        advances
            .apply("ToWatermarkCells", ParDo.of(new WatermarkCellFn(repository)))
            .setCoder(mutationCoder())
            .apply("WriteWatermarks", target.applyTo(BigtableIO.write()).withWriteResults());
    return new OnlineWriteResult(
        rows.getPipeline(),
        selected.get(SelectOwnedCells.WRITTEN),
        advances,
        selected.get(SelectOwnedCells.DEAD_LETTERS),
        written,
        watermarkWrites);
  }

  /**
   * Orders each restatement after the row it restates. The restatements and the progress of the
   * original cell writes (their watermark, no elements) are flattened into one input of {@link
   * WriteRestatementsFn}, keyed by row key: its input watermark passes a window end only once the
   * original writes of that window end have finished, and its event-time timers hold each
   * restatement until then, then write the restatements of a row key one at a time, highest
   * sequence last. Nothing on the way drops late data: everything runs in the global window.
   *
   * <p>A side-input wait ({@code Wait.on}) would need, on Flink, signal data in the restatement's
   * very window, which a window without original writes never gets; the watermark needs none.
   */
  private void writeRestatementsAfter(
      PCollection<KV<ByteString, Restatement>> restatements, PCollection<BigtableWriteResult> originals) {
    KvCoder<ByteString, Restatement> coder = KvCoder.of(ByteStringCoder.of(), Restatement.Coder.of());
    PCollection<KV<ByteString, Restatement>> progress =
        originals
            .apply("ProgressOfOriginals", ParDo.of(new ProgressOnlyFn<BigtableWriteResult, KV<ByteString, Restatement>>()))
            .setCoder(coder)
            .apply("ProgressInOneWindow", Window.<KV<ByteString, Restatement>>into(new GlobalWindows()));
    PCollection<KV<ByteString, Restatement>> waiting =
        restatements.apply("RestatementsInOneWindow", Window.<KV<ByteString, Restatement>>into(new GlobalWindows()));
    PCollectionList.of(waiting)
        .and(progress)
        .apply("AwaitOriginals", Flatten.pCollections())
        .setCoder(coder)
        .apply("WriteRestatements", ParDo.of(new WriteRestatementsFn(target, maxAllowedLateness() + commonHop())));
  }

  /** Outputs nothing: what passes is the watermark of its input. */
  static final class ProgressOnlyFn<InputT, OutputT> extends DoFn<InputT, OutputT> {
    @ProcessElement
    public void process() {}
  }

  /** The largest allowed lateness of the written groups' sources. */
  long maxAllowedLateness() {
    long max = 0;
    for (String name : groups) {
      max = Math.max(max, TimeRules.millis(repository.source(repository.group(name).source()).allowedLateness()));
    }
    return max;
  }

  /** (group, window end) → the mutation of the group's watermark cell. */
  static final class WatermarkCellFn extends DoFn<KV<String, Long>, KV<ByteString, Iterable<Mutation>>> {
    private final FeatureRepository repository;

    WatermarkCellFn(FeatureRepository repository) {
      this.repository = repository;
    }

    @ProcessElement
    public void process(@Element KV<String, Long> advance, OutputReceiver<KV<ByteString, Iterable<Mutation>>> out) {
      out.output(KV.of(
          OnlineLayout.metadataRow(repository.group(advance.getKey())),
          List.of(StoreMetadata.watermarkMutation(advance.getValue()))));
    }
  }

  /** The greatest common divisor of the groups' hops: every window end is a multiple of it. */
  long commonHop() {
    BigInteger g = BigInteger.ZERO;
    for (String name : groups) {
      g = g.gcd(BigInteger.valueOf(TimeRules.millis(repository.group(name).hop())));
    }
    return g.longValueExact();
  }

  static KvCoder<ByteString, Iterable<Mutation>> mutationCoder() {
    return KvCoder.of(ByteStringCoder.of(), IterableCoder.of(ProtoCoder.of(Mutation.class)));
  }

  /** A group's last window end before the range end, when no stream is registered for it. */
  static final class RangeEndFn extends DoFn<String, KV<String, Long>> {
    private final BigtableTarget target;
    private final FeatureRepository repository;
    private final long endMillis;

    RangeEndFn(BigtableTarget target, FeatureRepository repository, long endMillis) {
      this.target = target;
      this.repository = repository;
      this.endMillis = endMillis;
    }

    @ProcessElement
    public void process(@Element String group, OutputReceiver<KV<String, Long>> out) throws IOException {
      FeatureGroupDef g = repository.group(group);
      Map<String, StoreMetadata.GroupState> meta;
      try {
        meta = StoreMetadata.read(SharedDataClients.acquire(target), target.table(), List.of(g));
      } finally {
        SharedDataClients.release(target);
      }
      if (meta.get(group).streamStartMillis() == null) {
        long hop = TimeRules.millis(g.hop());
        out.output(KV.of(group, Math.floorDiv(endMillis - 1, hop) * hop));
      }
    }
  }
}
