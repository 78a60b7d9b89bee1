package io.featurepipe.pipelines.stream;

import io.featurepipe.sinks.deadletter.WriteDeadLetters;
import io.featurepipe.transforms.record.DeadLetter;
import java.time.Duration;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterFirst;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes a stream's dead letters (undecodable messages, rejected records, too-late events, rows the
 * store refused, alerts the webhook did not take) as JSON lines ({@link WriteDeadLetters#toJson})
 * under a location, counting each as {@code featurepipe:dead_letters}.
 *
 * <p>Dead letters are windowed by processing time, not event time: a too-late event is by
 * definition behind the watermark, and an event-time window would already be closed when it
 * comes. Unbounded inputs are collected in the global window and written in panes, one file per
 * pane, at the latest {@code flush} after the pane's first dead letter (or sooner, every 10,000):
 * {@code <location>/dead-letters-<run>-<pane>-00000-of-00001.jsonl}. The run id keeps a restarted
 * job from overwriting the files of an earlier one. Bounded inputs are written once, at the end.
 *
 * <p>Steps {@code Count}, {@code WindowByArrival} (unbounded), {@code ToJson}, {@code WriteFiles}.
 */
final class WriteStreamDeadLetters extends PTransform<PCollection<DeadLetter>, org.apache.beam.sdk.io.WriteFilesResult<Void>> {
  private static final int PANE_SIZE = 10_000;

  private final String location;
  private final String runId;
  private final Duration flush;

  WriteStreamDeadLetters(String location, String runId, Duration flush) {
    if (location == null || location.isEmpty()) {
      throw new IllegalArgumentException("the dead-letter location must not be empty");
    }
    if (flush == null || flush.isNegative() || flush.isZero()) {
      throw new IllegalArgumentException("the dead-letter flush interval must be positive, not " + flush);
    }
    this.location = location;
    this.runId = runId;
    this.flush = flush;
  }

  @Override
  public org.apache.beam.sdk.io.WriteFilesResult<Void> expand(PCollection<DeadLetter> letters) {
    PCollection<DeadLetter> panes =
        letters.apply("Count", ParDo.of(new CountFn())).setCoder(letters.getCoder());
    if (letters.isBounded() == PCollection.IsBounded.UNBOUNDED) {
      panes =
          panes.apply(
              "WindowByArrival",
              Window.<DeadLetter>into(new GlobalWindows())
                  .triggering(
                      Repeatedly.forever(
                          AfterFirst.of(
                              AfterPane.elementCountAtLeast(PANE_SIZE),
                              AfterProcessingTime.pastFirstElementInPane()
                                  .plusDelayOf(org.joda.time.Duration.millis(flush.toMillis())))))
                  .discardingFiredPanes()
                  .withAllowedLateness(org.joda.time.Duration.ZERO));
    }
    return panes
        .apply("ToJson", MapElements.into(TypeDescriptors.strings()).via(WriteDeadLetters::toJson))
        .setCoder(StringUtf8Coder.of())
        .apply(
            "WriteFiles",
            FileIO.<String>write()
                .via(TextIO.sink())
                .to(location)
                .withNaming(new RunNaming("dead-letters-" + runId, ".jsonl"))
                .withNumShards(1));
  }

  /** {@code <prefix>-<pane>-<shard>-of-<shards><suffix>}: unique per run and pane. */
  static final class RunNaming implements FileIO.Write.FileNaming {
    private final String prefix;
    private final String suffix;

    RunNaming(String prefix, String suffix) {
      this.prefix = prefix;
      this.suffix = suffix;
    }

    @Override
    public String getFilename(
        BoundedWindow window, PaneInfo pane, int numShards, int shardIndex, Compression compression) {
      return String.format(
          "%s-%d-%05d-of-%05d%s%s",
          prefix, pane.getIndex(), shardIndex, numShards, suffix, compression.getSuggestedSuffix());
    }
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
