package io.featurepipe.pipelines.stream;

import io.featurepipe.transforms.record.SourceRecord;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Keeps the records whose event time (milliseconds) is in {@code [from, until)} and counts the
 * others under {@code featurepipe:<counter>}: they are not errors, they belong to another reader
 * (the bootstrap files before a stream's start, the stream from its start on), so every event is
 * counted once.
 */
final class SelectEventTimes extends PTransform<PCollection<SourceRecord>, PCollection<SourceRecord>> {
  private final long fromMillis;
  private final long untilMillis;
  private final String counter;

  /** @param fromMillis first event time kept ({@code Long.MIN_VALUE}: no bound) */
  SelectEventTimes(long fromMillis, long untilMillis, String counter) {
    this.fromMillis = fromMillis;
    this.untilMillis = untilMillis;
    this.counter = counter;
  }

  @Override
  public PCollection<SourceRecord> expand(PCollection<SourceRecord> records) {
    return records
        .apply("Select", ParDo.of(new SelectFn(fromMillis, untilMillis, counter)))
        .setCoder(records.getCoder());
  }

  static final class SelectFn extends DoFn<SourceRecord, SourceRecord> {
    private final long fromMillis;
    private final long untilMillis;
    private final Counter outside;

    SelectFn(long fromMillis, long untilMillis, String counter) {
      this.fromMillis = fromMillis;
      this.untilMillis = untilMillis;
      this.outside = Metrics.counter("featurepipe", counter);
    }

    @ProcessElement
    public void process(@Element SourceRecord r, OutputReceiver<SourceRecord> out) {
      long t = r.eventTimeMillis();
      if (t >= fromMillis && t < untilMillis) {
        out.output(r);
      } else {
        outside.inc();
      }
    }
  }
}
