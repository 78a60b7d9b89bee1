package io.featurepipe.pipelines.ingest;

import io.featurepipe.transforms.record.SourceRecord;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;

/**
 * Splits {@link Decoded} elements into {@link ReadSource#RECORDS} and {@link
 * ReadSource#DEAD_LETTERS}, counting both. A record's element timestamp becomes its event time
 * floored to the millisecond (sources that already set it keep it); a dead letter keeps its
 * element's timestamp.
 */
public final class SplitDecoded extends PTransform<PCollection<Decoded>, PCollectionTuple> {
  private final String source;

  public SplitDecoded(String source) {
    this.source = source;
  }

  @Override
  public PCollectionTuple expand(PCollection<Decoded> input) {
    PCollectionTuple out =
        input.apply(
            "Split",
            ParDo.of(new SplitFn(source))
                .withOutputTags(ReadSource.RECORDS, TupleTagList.of(ReadSource.DEAD_LETTERS)));
    return ReadSource.withCoders(out);
  }

  static final class SplitFn extends DoFn<Decoded, SourceRecord> {
    private final SourceCounters counters;

    SplitFn(String source) {
      this.counters = new SourceCounters(source);
    }

    @ProcessElement
    public void process(@Element Decoded d, @Timestamp Instant timestamp, MultiOutputReceiver out) {
      if (d.record() != null) {
        counters.recordRead();
        Instant eventTime = new Instant(d.record().eventTimeMillis());
        if (eventTime.equals(timestamp)) {
          out.get(ReadSource.RECORDS).output(d.record());
        } else {
          out.get(ReadSource.RECORDS).outputWithTimestamp(d.record(), eventTime);
        }
      } else {
        counters.deadLetter();
        out.get(ReadSource.DEAD_LETTERS).output(d.deadLetter());
      }
    }
  }
}
