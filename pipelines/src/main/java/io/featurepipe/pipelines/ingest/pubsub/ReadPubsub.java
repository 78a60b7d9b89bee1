package io.featurepipe.pipelines.ingest.pubsub;

import io.featurepipe.pipelines.ingest.ReadSource;
import io.featurepipe.pipelines.ingest.SourceCounters;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.PayloadDecoder;
import io.featurepipe.transforms.model.IoSpec;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.record.SourceRecordCoder;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubIO;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;

/**
 * Reads a source's Pub/Sub subscription (or topic) with Beam's {@link PubsubIO}. Element
 * timestamps come from the message attribute {@code timestamp_attribute} (which the runner also
 * uses to estimate the watermark); it must hold the record's event time (in milliseconds, or as
 * RFC 3339): a message whose decoded event time, floored to the millisecond, differs from it is a
 * dead letter, as is an undecodable payload. Origin: {@code pubsub:<message id>}.
 */
public final class ReadPubsub extends PTransform<PBegin, PCollectionTuple> {
  private final PayloadDecoder decoder;

  public ReadPubsub(PayloadDecoder decoder) {
    this.decoder = decoder;
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    IoSpec spec = decoder.source().unbounded();
    PubsubIO.Read<PubsubMessage> read =
        PubsubIO.readMessagesWithAttributesAndMessageId()
            .withTimestampAttribute(spec.get("timestamp_attribute"));
    read =
        spec.get("subscription") != null
            ? read.fromSubscription(spec.get("subscription"))
            : read.fromTopic(spec.get("topic"));
    PCollectionTuple out =
        begin
            .apply("ReadMessages", read)
            .apply(
                "Decode",
                ParDo.of(new DecodeFn(decoder))
                    .withOutputTags(ReadSource.RECORDS, TupleTagList.of(ReadSource.DEAD_LETTERS)));
    out.get(ReadSource.RECORDS).setCoder(SourceRecordCoder.of());
    out.get(ReadSource.DEAD_LETTERS).setCoder(DeadLetter.Coder.of());
    return out;
  }

  static final class DecodeFn extends DoFn<PubsubMessage, SourceRecord> {
    private final PayloadDecoder decoder;
    private final SourceCounters counters;
    private final String step;

    DecodeFn(PayloadDecoder decoder) {
      this.decoder = decoder;
      this.counters = new SourceCounters(decoder.source().name());
      this.step = "ReadPubsub/" + decoder.source().name();
    }

    @ProcessElement
    public void process(@Element PubsubMessage m, @Timestamp Instant timestamp, MultiOutputReceiver out) {
      String origin = "pubsub:" + m.getMessageId();
      byte[] payload = m.getPayload();
      String reason;
      try {
        SourceRecord r = decoder.decode(payload, origin);
        if (r.eventTimeMillis() == timestamp.getMillis()) {
          counters.recordRead();
          out.get(ReadSource.RECORDS).output(r);
          return;
        }
        reason =
            "event time " + new Instant(r.eventTimeMillis()) + " differs from the timestamp attribute ("
                + timestamp + ")";
      } catch (BadRecordException e) {
        reason = e.getMessage();
      }
      counters.deadLetter();
      out.get(ReadSource.DEAD_LETTERS)
          .output(new DeadLetter(decoder.source().name(), step, reason, decoder.payloadText(payload), origin));
    }
  }
}
