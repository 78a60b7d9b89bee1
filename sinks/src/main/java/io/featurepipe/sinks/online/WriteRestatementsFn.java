package io.featurepipe.sinks.online;

import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import com.google.cloud.bigtable.data.v2.models.Mutation;
import com.google.cloud.bigtable.data.v2.models.RowMutation;
import com.google.cloud.bigtable.data.v2.models.TableId;
import com.google.protobuf.ByteString;
import java.io.IOException;
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
 * Writes the restatements of one Bigtable row key in sequence order, per key in the global window:
 * a map state holds, per cell set (family, window end), the highest sequence written; a restatement
 * with a lower or equal sequence comes after a newer one and is skipped ({@code
 * online_restatements_superseded}), a higher one is written ({@code online_restatements_written}).
 *
 * <p>Each write is <b>synchronous</b> ({@link BigtableDataClient#mutateRow}): the next restatement of
 * the key is processed only once the previous one is in the store, so two restatements of one cell
 * can never land out of order — a buffered, batched sink ({@code BigtableIO}) gives no such order.
 * Restatements are rare (late data only), so one round trip each costs little.
 *
 * <p>The global window, not the hop windows, because a windowed state would drop restatements whose
 * window expired while they travelled (the watermark may move on between the lateness decision and
 * this step); here nothing is dropped. The state of a key is cleared by an event-time timer once the
 * watermark is {@code keep} past the latest window end it holds (allowed lateness plus a hop: no
 * restatement of those window ends is expected any more).
 */
final class WriteRestatementsFn extends DoFn<KV<ByteString, Restatement>, Void> {
  private final BigtableTarget target;
  private final long keepMillis;

  private final Counter written = Metrics.counter("featurepipe", "online_restatements_written");
  private final Counter superseded = Metrics.counter("featurepipe", "online_restatements_superseded");

  private transient BigtableDataClient client;

  @StateId("sequences")
  private final StateSpec<MapState<String, Long>> sequencesSpec = StateSpecs.map(StringUtf8Coder.of(), VarLongCoder.of());

  @StateId("expiry")
  private final StateSpec<ValueState<Long>> expirySpec = StateSpecs.value(VarLongCoder.of());

  @TimerId("expire")
  private final TimerSpec expireSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  /** @param keepMillis how long past a window end its sequences are kept */
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
      @StateId("sequences") MapState<String, Long> sequences,
      @StateId("expiry") ValueState<Long> expiry,
      @TimerId("expire") Timer expire) {
    Restatement r = element.getValue();
    Long highest = sequences.get(r.cells()).read();
    if (highest != null && r.sequence() <= highest) {
      superseded.inc();
    } else {
      client.mutateRow(
          RowMutation.create(TableId.of(target.table()), element.getKey(), Mutation.fromProtoUnsafe(r.mutations())));
      sequences.put(r.cells(), r.sequence());
      written.inc();
    }
    long until = r.windowEndMillis() + keepMillis;
    Long current = expiry.read();
    if (current == null || until > current) {
      expiry.write(until);
      expire.withNoOutputTimestamp().set(new Instant(until));
    }
  }

  @OnTimer("expire")
  public void onExpire(
      @StateId("sequences") MapState<String, Long> sequences, @StateId("expiry") ValueState<Long> expiry) {
    sequences.clear();
    expiry.clear();
  }

  @Teardown
  public void teardown() {
    if (client != null) {
      SharedDataClients.release(target);
      client = null;
    }
  }
}
