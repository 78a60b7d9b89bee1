package io.featurepipe.pipelines.ingest.kafka;

import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.PayloadDecoder;
import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The timestamp policy of a Kafka partition: each record's timestamp is its event time (from the
 * source's timestamp column, floored to the millisecond), and the partition's watermark trails the
 * largest event time it has seen by the source's {@code watermark_delay} (never ahead of now minus
 * the delay). A partition that has caught up with its log (no backlog) is idle: its watermark
 * advances to now minus the delay, so a quiet partition does not hold the source's watermark.
 *
 * <p>A record whose value cannot be decoded gets the largest event time seen so far (the oldest
 * possible when none), so it neither moves the watermark nor arrives behind it; the read turns it
 * into a dead letter.
 *
 * <p>Like Beam's {@code CustomTimestampPolicyWithLimitedDelay}, written here because that one
 * needs a timestamp for every record, undecodable ones included, and holds the watermark of a
 * partition that never received a record.
 */
final class EventTimePolicy extends TimestampPolicy<byte[], byte[]> {
  private final PayloadDecoder decoder;
  private final Duration delay;
  private Instant maxEventTime;
  private Instant watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;

  EventTimePolicy(PayloadDecoder decoder, Duration delay, Optional<Instant> previousWatermark) {
    this.decoder = decoder;
    this.delay = delay;
    this.maxEventTime = previousWatermark.map(w -> w.plus(delay)).orElse(BoundedWindow.TIMESTAMP_MIN_VALUE);
  }

  static TimestampPolicyFactory<byte[], byte[]> factory(PayloadDecoder decoder, Duration delay) {
    return new Factory(decoder, delay);
  }

  @Override
  public Instant getTimestampForRecord(PartitionContext ctx, KafkaRecord<byte[], byte[]> record) {
    Instant eventTime;
    try {
      eventTime = new Instant(decoder.decode(record.getKV().getValue(), "").eventTimeMillis());
    } catch (BadRecordException | RuntimeException e) {
      return maxEventTime;
    }
    if (eventTime.isAfter(maxEventTime)) {
      maxEventTime = eventTime;
    }
    return eventTime;
  }

  @Override
  public Instant getWatermark(PartitionContext ctx) {
    return watermark(ctx.getMessageBacklog(), ctx.getBacklogCheckTime(), Instant.now());
  }

  /** The watermark given the partition's backlog (0: caught up) and the time. */
  Instant watermark(long backlog, Instant backlogCheckTime, Instant now) {
    Instant trailing =
        maxEventTime.isAfter(now)
            ? now.minus(delay)
            : maxEventTime.equals(BoundedWindow.TIMESTAMP_MIN_VALUE)
                ? BoundedWindow.TIMESTAMP_MIN_VALUE
                : maxEventTime.minus(delay);
    Instant next = trailing;
    if (backlog == 0 && backlogCheckTime != null) {
      Instant idle = backlogCheckTime.minus(delay);
      next = idle.isAfter(trailing) ? idle : trailing;
    }
    // a watermark never goes back, even when records older than an idle advance arrive
    if (next.isAfter(watermark)) {
      watermark = next;
    }
    return watermark;
  }

  private static final class Factory implements TimestampPolicyFactory<byte[], byte[]> {
    private final PayloadDecoder decoder;
    private final Duration delay;

    Factory(PayloadDecoder decoder, Duration delay) {
      this.decoder = decoder;
      this.delay = delay;
    }

    @Override
    public TimestampPolicy<byte[], byte[]> createTimestampPolicy(
        TopicPartition partition, Optional<Instant> previousWatermark) {
      return new EventTimePolicy(decoder, delay, previousWatermark);
    }
  }
}
