package io.featurepipe.sinks.online;

import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.gcp.bigtable.BigtableWriteResult;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.TimerMap;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.joda.time.Instant;

/**
 * Releases each {@code (group, window end e)} of an unbounded write once the watermark of the cell
 * writes has passed {@code e} — every cell with window end {@code <= e} is then in Bigtable — and
 * only when it moves the group's watermark cell M forward.
 *
 * <pre>{@code
 * PCollection<KV<String, Long>> advances = latestWindowEnds.apply("AwaitCells", AwaitCellWrites.on(cellWrites));
 * }</pre>
 *
 * <p>Why not {@code Wait.on}: it turns the writes into a side input per window, and a runner may
 * hold a window's side input "not ready" until an element of that window arrives. Flink does: a
 * window whose rows changed no cell has no write result and waits forever, and a job restored
 * from a checkpoint was seen to keep every later window waiting. Here the write results only hold
 * the watermark back (they are dropped, {@code NoResults}); the window ends are flattened with them
 * into the global window ({@code WithWrites}) and wait in event-time timers of a step keyed by
 * group ({@code Release}), whose input watermark is the lesser of the two. Timers fire at
 * {@code e} (or the element's own timestamp, if later), so no window end is released before the
 * writes of its rows (stamped {@code e − 1 ms}) have finished, whatever the runner.
 */
final class AwaitCellWrites extends PTransform<PCollection<KV<String, Long>>, PCollection<KV<String, Long>>> {
  private final PCollection<BigtableWriteResult> writes;

  private AwaitCellWrites(PCollection<BigtableWriteResult> writes) {
    this.writes = writes;
  }

  /** Waits on the results of the cell writes ({@code BigtableIO.write().withWriteResults()}). */
  static AwaitCellWrites on(PCollection<BigtableWriteResult> writes) {
    return new AwaitCellWrites(writes);
  }

  @Override
  public PCollection<KV<String, Long>> expand(PCollection<KV<String, Long>> windowEnds) {
    KvCoder<String, Long> coder = KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    PCollection<KV<String, Long>> noResults =
        writes
            .apply("NoResults", ParDo.of(new WriteOnline.ProgressOnlyFn<BigtableWriteResult, KV<String, Long>>()))
            .setCoder(coder)
            .apply("ResultsGlobally", Window.into(new GlobalWindows()));
    PCollection<KV<String, Long>> ends =
        windowEnds.apply("EndsGlobally", Window.<KV<String, Long>>into(new GlobalWindows())).setCoder(coder);
    return PCollectionList.of(ends)
        .and(noResults)
        .apply("WithWrites", Flatten.pCollections())
        .apply("Release", ParDo.of(new ReleaseFn()))
        .setCoder(coder);
  }

  /** Per group: one event-time timer per pending window end; M as released so far. */
  static final class ReleaseFn extends DoFn<KV<String, Long>, KV<String, Long>> {
    @StateId("released")
    private final StateSpec<ValueState<Long>> releasedSpec = StateSpecs.value(VarLongCoder.of());

    @StateId("group")
    private final StateSpec<ValueState<String>> groupSpec = StateSpecs.value(StringUtf8Coder.of());

    @TimerFamily("ends")
    private final TimerSpec endsSpec = TimerSpecs.timerMap(TimeDomain.EVENT_TIME);

    @ProcessElement
    public void process(
        @Element KV<String, Long> end,
        @Timestamp Instant timestamp,
        @StateId("released") ValueState<Long> released,
        @StateId("group") ValueState<String> group,
        @TimerFamily("ends") TimerMap ends) {
      Long m = released.read();
      long e = end.getValue();
      if (m != null && e <= m) {
        return; // a restated window end, or one already covered
      }
      group.write(end.getKey());
      ends.set(Long.toString(e), new Instant(Math.max(e, timestamp.getMillis())));
    }

    @OnTimerFamily("ends")
    public void release(
        @TimerId String timerId,
        @StateId("released") ValueState<Long> released,
        @StateId("group") ValueState<String> group,
        OutputReceiver<KV<String, Long>> out) {
      long e = Long.parseLong(timerId);
      Long m = released.read();
      if (m == null || e > m) {
        released.write(e);
        out.output(KV.of(group.read(), e));
      }
    }
  }
}
