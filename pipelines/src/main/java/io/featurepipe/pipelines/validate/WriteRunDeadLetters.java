package io.featurepipe.pipelines.validate;

import io.featurepipe.sinks.deadletter.WriteDeadLetters;
import io.featurepipe.sinks.files.JsonLinesFormat;
import io.featurepipe.sinks.files.WritePartitionedFiles;
import io.featurepipe.transforms.record.DeadLetter;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes every dead letter of a bounded run (undecodable lines, failed checks, expression
 * failures, late events, undelivered alerts) as JSON lines under one folder ({@code
 * dead-letters-NNNNN.jsonl}), counted as {@code featurepipe:dead_letters}; returns them flattened.
 *
 * <pre>{@code
 * PCollectionList.of(deadLetters).apply("WriteDeadLetters", WriteRunDeadLetters.to("offline/_dead_letters/run-1"));
 * }</pre>
 */
public final class WriteRunDeadLetters extends PTransform<PCollectionList<DeadLetter>, PCollection<DeadLetter>> {
  private final String folder;

  private WriteRunDeadLetters(String folder) {
    this.folder = folder;
  }

  public static WriteRunDeadLetters to(String folder) {
    if (folder == null || folder.isEmpty()) {
      throw new IllegalArgumentException("the dead-letter folder must not be empty");
    }
    return new WriteRunDeadLetters(folder);
  }

  @Override
  public PCollection<DeadLetter> expand(PCollectionList<DeadLetter> deadLetters) {
    PCollection<DeadLetter> all =
        deadLetters.apply("Flatten", Flatten.pCollections()).setCoder(DeadLetter.Coder.of());
    all.apply("Count", ParDo.of(new CountFn()))
        .setCoder(DeadLetter.Coder.of())
        .apply("AsJson", MapElements.into(TypeDescriptors.strings()).via(WriteDeadLetters::toJson))
        .setCoder(StringUtf8Coder.of())
        .apply("Write", WritePartitionedFiles.to(folder, "dead-letters", new JsonLinesFormat(), d -> ""));
    return all;
  }

  static final class CountFn extends DoFn<DeadLetter, DeadLetter> {
    private final Counter count = Metrics.counter("featurepipe", "dead_letters");

    @ProcessElement
    public void process(@Element DeadLetter d, OutputReceiver<DeadLetter> out) {
      count.inc();
      out.output(d);
    }
  }
}
