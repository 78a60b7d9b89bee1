package io.featurepipe.pipelines.ingest;

import io.featurepipe.transforms.decode.PayloadDecoder;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * The common part of the steps that decode a stream's messages ({@code ReadKafka/<source>},
 * {@code ReadPubsub/<source>}): a record goes to {@link ReadSource#RECORDS} keeping its element's
 * timestamp, a rejected message to {@link ReadSource#DEAD_LETTERS} with its text, both counted.
 *
 * @param <T> the message type of the IO
 */
public abstract class DecodeMessagesFn<T> extends DoFn<T, SourceRecord> {
  protected final PayloadDecoder decoder;
  private final SourceCounters counters;
  private final String step;

  protected DecodeMessagesFn(PayloadDecoder decoder, String stepPrefix) {
    this.decoder = decoder;
    this.counters = new SourceCounters(decoder.source().name());
    this.step = stepPrefix + "/" + decoder.source().name();
  }

  protected void accept(SourceRecord record, MultiOutputReceiver out) {
    counters.recordRead();
    out.get(ReadSource.RECORDS).output(record);
  }

  protected void reject(String reason, byte[] payload, String origin, MultiOutputReceiver out) {
    counters.deadLetter();
    out.get(ReadSource.DEAD_LETTERS)
        .output(new DeadLetter(decoder.source().name(), step, reason, decoder.payloadText(payload), origin));
  }
}
