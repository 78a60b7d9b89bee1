package io.featurepipe.sinks.deadletter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.featurepipe.transforms.record.DeadLetter;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes dead letters (or late events) as JSON lines under a location: one object per record with
 * {@code source}, {@code step}, {@code reason}, {@code origin} and the raw {@code payload}. Bounded
 * inputs only; streaming pipelines window first.
 */
public final class WriteDeadLetters extends PTransform<PCollection<DeadLetter>, PDone> {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String prefix;

  private WriteDeadLetters(String prefix) {
    this.prefix = prefix;
  }

  /** Writes files {@code <prefix>-SSSSS-of-NNNNN.jsonl}. */
  public static WriteDeadLetters to(String prefix) {
    return new WriteDeadLetters(prefix);
  }

  /** One dead letter as a JSON object. */
  public static String toJson(DeadLetter d) {
    ObjectNode o = JSON.createObjectNode();
    o.put("source", d.source());
    o.put("step", d.step());
    o.put("reason", d.reason());
    o.put("origin", d.origin());
    o.put("payload", d.payload());
    return o.toString();
  }

  @Override
  public PDone expand(PCollection<DeadLetter> letters) {
    return letters
        .apply("ToJson", MapElements.into(TypeDescriptors.strings()).via(WriteDeadLetters::toJson))
        .setCoder(StringUtf8Coder.of())
        .apply("Write", TextIO.write().to(prefix).withSuffix(".jsonl"));
  }
}
