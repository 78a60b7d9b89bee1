package io.featurepipe.sinks.online;

import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import com.google.cloud.bigtable.data.v2.models.Mutation;
import com.google.cloud.bigtable.data.v2.models.RowMutation;
import com.google.cloud.bigtable.data.v2.models.TableId;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Instant;

/**
 * Writes the restatements of one Bigtable row key after the rows they restate, in sequence order.
 * Keyed by row key, in the global window; its input watermark is at most the output watermark of
 * the original cell writes ({@link WriteOnline} flattens their progress in).
 *
 * <ol>
 *   <li><b>Wait</b>: a restatement of window end {@code e} is held in state until an event-time
 *       timer at {@code e - 1} fires, i.e. until the original writes' watermark has passed every
 *       row stamped {@code e - 1}: each on-time row of window end {@code e} is then in the store.
 *   <li><b>Order</b>: per cell set (family, window end) only the highest sequence waits; a lower or
 *       equal one, waiting or written, is skipped ({@code online_restatements_superseded}).
 *   <li><b>Write</b>: each restatement is written <b>synchronously</b> ({@link
 *       BigtableDataClient#mutateRow}), one at a time per row key, so two restatements of one cell
 *       can never land out of order — a buffered, batched sink ({@code BigtableIO}) gives no such
 *       order ({@code online_restatements_written}). Restatements are rare (late data only), so one
 *       round trip each costs little.
 * </ol>
 *
 * <p>The global window, because windowed state would drop restatements whose window expired while
 * they travelled (the watermark may move on between the lateness decision and this step): here
 * nothing is dropped. The highest sequences written are cleared by an event-time timer once the
 * watermark is {@code keep} past the latest window end they hold (allowed lateness plus a hop: no
 * restatement of those window ends is expected any more).
 */
final class WriteRestatementsFn extends DoFn<KV<ByteString, Restatement>, Void> {
  private final BigtableTarget target;
  private final long keepMillis;

  private final Counter written = Metrics.counter("featurepipe", "online_restatements_written");
  private final Counter superseded = Metrics.counter("featurepipe", "online_restatements_superseded");
  private final Counter cells = Metrics.counter("featurepipe", "online_cells_written");

  private transient BigtableDataClient client;

  /** Cell set → the restatement waiting for its originals (the highest sequence received). */
  @StateId("waiting")
  private final StateSpec<MapState<String, Restatement>> waitingSpec =
      StateSpecs.map(StringUtf8Coder.of(), Restatement.Coder.of());

  /** Cell set → the highest sequence written. */
  @StateId("sequences")
  private final StateSpec<MapState<String, Long>> sequencesSpec = StateSpecs.map(StringUtf8Coder.of(), VarLongCoder.of());

  /** The time the release timer is set to, or none when nothing waits. */
  @StateId("releaseAt")
  private final StateSpec<ValueState<Long>> releaseAtSpec = StateSpecs.value(VarLongCoder.of());

  /** The time the expiry timer is set to. */
  @StateId("expireAt")
  private final StateSpec<ValueState<Long>> expireAtSpec = StateSpecs.value(VarLongCoder.of());

  @TimerId("release")
  private final TimerSpec releaseSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  @TimerId("expire")
  private final TimerSpec expireSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  /** @param keepMillis how long past a window end the highest sequence written is kept */
  WriteRestatementsFn(BigtableTarget target, long keepMillis) {
    this.target = target;
    this.keepMillis = keepMillis;
  }

  @Setup
  public void setup() throws IOException {
    client = SharedDataClients.acquire(target);
  }

  @ProcessElement
  public void process(
      @Element KV<ByteString, Restatement> element,
      @StateId("waiting") MapState<String, Restatement> waiting,
      @StateId("releaseAt") ValueState<Long> releaseAt,
      @TimerId("release") Timer release) {
    Restatement r = element.getValue();
    Restatement before = waiting.get(r.cells()).read();
    if (before != null) {
      superseded.inc();
      if (r.sequence() <= before.sequence()) {
        return;
      }
    }
    waiting.put(r.cells(), r);
    long at = r.windowEndMillis() - 1;
    Long current = releaseAt.read();
    if (current == null || at < current) {
      releaseAt.write(at);
      release.withNoOutputTimestamp().set(new Instant(at));
    }
  }

  @OnTimer("release")
  public void onRelease(
      OnTimerContext c,
      @Key ByteString rowKey,
      @StateId("waiting") MapState<String, Restatement> waiting,
      @StateId("sequences") MapState<String, Long> sequences,
      @StateId("releaseAt") ValueState<Long> releaseAt,
      @StateId("expireAt") ValueState<Long> expireAt,
      @TimerId("release") Timer release,
      @TimerId("expire") Timer expire) {
    long fired = c.fireTimestamp().getMillis();
    List<Restatement> due = new ArrayList<>();
    Long next = null;
    for (Map.Entry<String, Restatement> w : waiting.entries().read()) {
      long at = w.getValue().windowEndMillis() - 1;
      if (at <= fired) {
        due.add(w.getValue());
      } else {
        next = next == null ? at : Math.min(next, at);
      }
    }
    long latest = Long.MIN_VALUE;
    for (Restatement r : due) {
      waiting.remove(r.cells());
      Long highest = sequences.get(r.cells()).read();
      if (highest != null && r.sequence() <= highest) {
        superseded.inc();
        continue;
      }
      client.mutateRow(RowMutation.create(TableId.of(target.table()), rowKey, Mutation.fromProtoUnsafe(r.mutations())));
      sequences.put(r.cells(), r.sequence());
      written.inc();
      cells.inc(r.mutations().size());
      latest = Math.max(latest, r.windowEndMillis());
    }
    if (next == null) {
      releaseAt.clear();
    } else {
      releaseAt.write(next);
      release.withNoOutputTimestamp().set(new Instant(next));
    }
    Long expiry = expireAt.read();
    if (latest != Long.MIN_VALUE && (expiry == null || latest + keepMillis > expiry)) {
      expireAt.write(latest + keepMillis);
      expire.withNoOutputTimestamp().set(new Instant(latest + keepMillis));
    }
  }

  @OnTimer("expire")
  public void onExpire(
      @StateId("sequences") MapState<String, Long> sequences, @StateId("expireAt") ValueState<Long> expireAt) {
    sequences.clear();
    expireAt.clear();
  }

  @Teardown
  public void teardown() {
    if (client != null) {
      SharedDataClients.release(target);
      client = null;
    }
  }
}
