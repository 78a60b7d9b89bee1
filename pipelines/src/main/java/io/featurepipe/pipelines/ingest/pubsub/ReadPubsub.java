package io.featurepipe.pipelines.ingest.pubsub;

import io.featurepipe.pipelines.ingest.DecodeMessagesFn;
import io.featurepipe.pipelines.ingest.ReadSource;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.PayloadDecoder;
import io.featurepipe.transforms.model.IoSpec;
import io.featurepipe.transforms.record.SourceRecord;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubIO;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
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
    return ReadSource.withCoders(out);
  }

  static final class DecodeFn extends DecodeMessagesFn<PubsubMessage> {
    DecodeFn(PayloadDecoder decoder) {
      super(decoder, "ReadPubsub");
    }

    @ProcessElement
    public void process(@Element PubsubMessage m, @Timestamp Instant timestamp, MultiOutputReceiver out) {
      String origin = "pubsub:" + m.getMessageId();
      byte[] payload = m.getPayload();
      try {
        SourceRecord r = decoder.decode(payload, origin);
        if (r.eventTimeMillis() == timestamp.getMillis()) {
          accept(r, out);
        } else {
          reject("event time " + new Instant(r.eventTimeMillis())
              + " differs from the timestamp attribute (" + timestamp + ")", payload, origin, out);
        }
      } catch (BadRecordException e) {
        reject(e.getMessage(), payload, origin, out);
      }
    }
  }
}
