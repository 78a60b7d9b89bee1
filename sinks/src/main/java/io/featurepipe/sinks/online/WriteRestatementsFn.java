package io.featurepipe.sinks.online;

import static com.google.cloud.bigtable.data.v2.models.Filters.FILTERS;

import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import com.google.cloud.bigtable.data.v2.models.Mutation;
import com.google.cloud.bigtable.data.v2.models.Row;
import com.google.cloud.bigtable.data.v2.models.RowCell;
import com.google.cloud.bigtable.data.v2.models.RowMutation;
import com.google.cloud.bigtable.data.v2.models.TableId;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
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
import org.joda.time.Duration;
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
 *   <li><b>Check</b>: a written restatement's cells are read back {@link #RECHECKS} times, each
 *       delay counted from the check before (about 2 s, 32 s, 5.5 min and 15.5 min after the
 *       write); if another value stands at its window end, a write that landed after it replaced
 *       it, and the restatement is written again ({@code online_restatements_repaired} counts the
 *       rewrites). A later restatement of the same cells takes over the checks.
 * </ol>
 *
 * <p>Rows emitted behind the watermark (a key's first rows through late data) come here too,
 * flagged {@code restated} by {@code AssembleWindows}: they hold no watermark of the original
 * writes, so only this step's per-key order puts a later restatement after them. Why the check as
 * well: that flag needs the runner to give a timer its step's input watermark (the DirectRunner and
 * Flink do), and a write can land late for other reasons. A row waits in the batched write an open
 * bundle (100 ms by featurepipe's Flink defaults) plus its write's retries, which BigtableIO ends
 * after 10 minutes by default (Beam 2.70): the last check comes after that. Only when this stream
 * is the one writer of its cells (DESIGN §3) does "another value" mean "an older write": during an
 * overlap with another writer the check would put this stream's value back for those 15 minutes.
 * Every restatement pays the reads, four synchronous ones; such rows are rare.
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
  private final Counter repaired = Metrics.counter("featurepipe", "online_restatements_repaired");

  /**
   * The delays before each read-back of a written restatement, the first counted from the write,
   * each later one from the check before; the last check is past BigtableIO's default write
   * timeout (10 minutes of retries).
   */
  static final List<Duration> RECHECKS = List.of(
      Duration.standardSeconds(2), Duration.standardSeconds(30), Duration.standardMinutes(5), Duration.standardMinutes(10));

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

  /** Cell set → the last restatement written, while its cells are checked. */
  @StateId("checking")
  private final StateSpec<MapState<String, Restatement>> checkingSpec =
      StateSpecs.map(StringUtf8Coder.of(), Restatement.Coder.of());

  /** Cell set → (processing time of its next check, checks done). */
  @StateId("checkPlan")
  private final StateSpec<MapState<String, KV<Long, Integer>>> checkPlanSpec =
      StateSpecs.map(StringUtf8Coder.of(), KvCoder.of(VarLongCoder.of(), VarIntCoder.of()));

  /** The processing time the check timer is set to, or none when nothing is checked. */
  @StateId("checkAt")
  private final StateSpec<ValueState<Long>> checkAtSpec = StateSpecs.value(VarLongCoder.of());

  @TimerId("check")
  private final TimerSpec checkSpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

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
      @StateId("checking") MapState<String, Restatement> checking,
      @StateId("checkPlan") MapState<String, KV<Long, Integer>> checkPlan,
      @StateId("checkAt") ValueState<Long> checkAt,
      @TimerId("release") Timer release,
      @TimerId("expire") Timer expire,
      @TimerId("check") Timer check) {
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
      write(rowKey, r);
      sequences.put(r.cells(), r.sequence());
      written.inc();
      latest = Math.max(latest, r.windowEndMillis());
      // a later restatement of the same cells replaces the earlier one's checks
      checking.put(r.cells(), r);
      checkPlan.put(r.cells(), KV.of(check.getCurrentRelativeTime().getMillis() + RECHECKS.get(0).getMillis(), 0));
    }
    if (!due.isEmpty()) {
      scheduleCheck(checkPlan, checkAt, check);
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

  @OnTimer("check")
  public void onCheck(
      OnTimerContext c,
      @Key ByteString rowKey,
      @StateId("checking") MapState<String, Restatement> checking,
      @StateId("checkPlan") MapState<String, KV<Long, Integer>> checkPlan,
      @StateId("checkAt") ValueState<Long> checkAt,
      @TimerId("check") Timer check) {
    // at least the check the timer was set for, also when a runner fires it early (Flink does
    // when a job ends, with every pending processing-time timer)
    long now = Math.max(c.fireTimestamp().getMillis(), check.getCurrentRelativeTime().getMillis());
    Map<String, KV<Long, Integer>> plan = new HashMap<>();
    checkPlan.entries().read().forEach(p -> plan.put(p.getKey(), p.getValue()));
    for (Map.Entry<String, KV<Long, Integer>> p : plan.entrySet()) {
      if (p.getValue().getKey() > now) {
        continue;
      }
      Restatement r = checking.get(p.getKey()).read();
      if (r != null && !stands(rowKey, r)) {
        write(rowKey, r);
        repaired.inc();
      }
      int done = p.getValue().getValue() + 1;
      if (r != null && done < RECHECKS.size()) {
        checkPlan.put(p.getKey(), KV.of(now + RECHECKS.get(done).getMillis(), done));
      } else {
        checkPlan.remove(p.getKey());
        checking.remove(p.getKey());
      }
    }
    checkAt.clear();
    scheduleCheck(checkPlan, checkAt, check);
  }

  /** Sets the check timer to the earliest planned check, unless it is set earlier already. */
  private static void scheduleCheck(
      MapState<String, KV<Long, Integer>> checkPlan, ValueState<Long> checkAt, Timer check) {
    Long next = null;
    for (KV<Long, Integer> p : checkPlan.values().read()) {
      next = next == null ? p.getKey() : Math.min(next, p.getKey());
    }
    Long current = checkAt.read();
    if (next != null && (current == null || next < current)) {
      checkAt.write(next);
      check.withNoOutputTimestamp().set(new Instant(next));
    }
  }

  private void write(ByteString rowKey, Restatement r) {
    client.mutateRow(RowMutation.create(TableId.of(target.table()), rowKey, Mutation.fromProtoUnsafe(r.mutations())));
    cells.inc(r.mutations().size());
  }

  /**
   * Whether the store holds the restatement's value in each of its cells (a cell no longer there,
   * removed by the family's garbage collection, does not count against it).
   */
  private boolean stands(ByteString rowKey, Restatement r) {
    long timestamp = OnlineLayout.cellTimestamp(r.windowEndMillis());
    Row row = client.readRow(
        TableId.of(target.table()),
        rowKey,
        FILTERS.chain()
            .filter(FILTERS.family().exactMatch(r.family()))
            .filter(FILTERS.timestamp().range().startClosed(timestamp).endOpen(timestamp + 1))
            .filter(FILTERS.limit().cellsPerColumn(1)));
    if (row == null) {
      return true;
    }
    Map<ByteString, ByteString> stored = new HashMap<>();
    for (RowCell cell : row.getCells()) {
      stored.put(cell.getQualifier(), cell.getValue());
    }
    for (com.google.bigtable.v2.Mutation m : r.mutations()) {
      ByteString value = stored.get(m.getSetCell().getColumnQualifier());
      if (value != null && !value.equals(m.getSetCell().getValue())) {
        return false;
      }
    }
    return true;
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
