package io.featurepipe.transforms.compute;

import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.record.SourceRecordCoder;
import io.featurepipe.transforms.time.TimeRules;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;

/**
 * Decides, per event and once for all the groups of its source, whether it is too late (DESIGN §3):
 * its hop ended {@code allowed_lateness} or more before the input watermark. Too-late events go
 * whole to the late-data output; all others go on, and then no later step drops them.
 *
 * <p>Beam gives a DoFn no direct view of the watermark, so this step learns it from event-time
 * timers: each shard (events are spread over shards by a hash of their content) keeps a timer on
 * the grid of lateness thresholds ({@code hopEnd + allowed_lateness}, with the finest hop of the
 * source's groups), one grid step after the last one that fired; when it fires, the watermark has
 * passed that threshold. Every threshold is a grid point, so once the timers up to the watermark
 * have fired, "threshold ≤ last fired point" is exactly "threshold ≤ watermark". A shard that sees
 * no event for {@value #IDLE_STEPS} grid steps stops its timer (which also ends the loop when a
 * stream ends); its view then lags until events return and the timer catches up, and a lagging
 * view only ever admits a borderline event, never wrongly rejects one. A shard's view starts with
 * its first event: its first timer is set a little more than the allowed lateness before that
 * event's threshold, so only an event older than the shard's first one by more than that can be
 * admitted while too late.
 *
 * <p>Bounded inputs have no late data and skip this step.
 */
final class ClassifyLateness extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {

  static final TupleTag<SourceRecord> ADMITTED = new TupleTag<>("admitted") {};
  static final TupleTag<DeadLetter> LATE = new TupleTag<>("late") {};

  private final SourceDef source;
  private final long hopMillis;
  private final int shards;

  ClassifyLateness(SourceDef source, long finestHopMillis, int shards) {
    this.source = source;
    this.hopMillis = finestHopMillis;
    this.shards = shards;
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceRecord> records) {
    int n = shards;
    PCollectionTuple out =
        records
            .apply(
                "Shard",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.integers(), TypeDescriptor.of(SourceRecord.class)))
                    .via(r -> KV.of(Math.floorMod(r.hashCode(), n), r)))
            .setCoder(KvCoder.of(VarIntCoder.of(), SourceRecordCoder.of()))
            .apply(
                "Classify",
                ParDo.of(
                        new ClassifyFn(
                            source, hopMillis, TimeRules.millis(source.allowedLateness())))
                    .withOutputTags(ADMITTED, TupleTagList.of(LATE)));
    out.get(ADMITTED).setCoder(SourceRecordCoder.of());
    out.get(LATE).setCoder(DeadLetter.Coder.of());
    return out;
  }

  /** Grid steps without events after which a shard stops its timer. */
  static final int IDLE_STEPS = 48;

  static final class ClassifyFn extends DoFn<KV<Integer, SourceRecord>, SourceRecord> {
    private static final long NONE = Long.MIN_VALUE;

    private final SourceDef source;
    private final long tick;
    private final long lateness;
    private final Counter late;
    private transient RecordDecoder json;

    /** The watermark is known to be at or past this (a threshold on the grid), or NONE. */
    @StateId("known")
    private final StateSpec<ValueState<Long>> knownSpec = StateSpecs.value(VarLongCoder.of());

    /** The pending timer's time, or absent. */
    @StateId("armed")
    private final StateSpec<ValueState<Long>> armedSpec = StateSpecs.value(VarLongCoder.of());

    /** Timer firings in a row without an event in between. */
    @StateId("idle")
    private final StateSpec<ValueState<Long>> idleSpec = StateSpecs.value(VarLongCoder.of());

    @TimerId("watermark")
    private final TimerSpec watermarkSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    ClassifyFn(SourceDef source, long tick, long lateness) {
      this.source = source;
      this.tick = tick;
      this.lateness = lateness;
      this.late = Metrics.counter("featurepipe", "late_events_" + source.name());
    }

    @Setup
    public void setup() {
      json = new RecordDecoder(source);
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, SourceRecord> element,
        @StateId("known") ValueState<Long> knownState,
        @StateId("armed") ValueState<Long> armedState,
        @StateId("idle") ValueState<Long> idleState,
        @TimerId("watermark") Timer timer,
        MultiOutputReceiver out) {
      SourceRecord record = element.getValue();
      long threshold = TimeRules.hopEnd(record.eventTimeMillis(), tick) + lateness;
      Long knownBox = knownState.read();
      long known = knownBox == null ? NONE : knownBox;
      if (known != NONE && threshold <= known) {
        late.inc();
        out.get(LATE)
            .output(
                new DeadLetter(
                    source.name(),
                    "ClassifyLateness/" + source.name(),
                    "too late: its hop ended at "
                        + Instant.ofEpochMilli(threshold - lateness)
                        + " and the watermark had passed "
                        + Instant.ofEpochMilli(known)
                        + ", beyond the allowed lateness of "
                        + source.allowedLateness(),
                    json.toJson(record),
                    record.origin()));
      } else {
        out.get(ADMITTED).output(record);
      }
      idleState.write(0L);
      // A shard's first timer starts a little more than the allowed lateness before the first
      // threshold it sees, so that events somewhat older than its first one are judged too.
      long desired =
          known == NONE ? threshold - (Math.floorDiv(lateness, tick) + 2) * tick - 1 : known + tick - 1;
      Long armed = armedState.read();
      if (armed == null || armed > desired) {
        timer.withNoOutputTimestamp().set(new Instant(desired));
        armedState.write(desired);
      }
    }

    @OnTimer("watermark")
    public void onWatermark(
        OnTimerContext c,
        @StateId("known") ValueState<Long> knownState,
        @StateId("armed") ValueState<Long> armedState,
        @StateId("idle") ValueState<Long> idleState,
        @TimerId("watermark") Timer timer) {
      long fired = c.fireTimestamp().getMillis();
      Long previous = knownState.read();
      long known = Math.max(previous == null ? NONE : previous, fired + 1);
      knownState.write(known);
      Long idleBox = idleState.read();
      long idle = (idleBox == null ? 0 : idleBox) + 1;
      idleState.write(idle);
      long next = fired + tick;
      if (idle <= IDLE_STEPS && next < GlobalWindow.INSTANCE.maxTimestamp().getMillis()) {
        timer.withNoOutputTimestamp().set(new Instant(next));
        armedState.write(next);
      } else {
        armedState.clear();
      }
    }
  }
}
