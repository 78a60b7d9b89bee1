package io.featurepipe.runners;

import io.featurepipe.pipelines.metrics.Counters;
import java.io.PrintStream;
import java.util.Map;
import java.util.function.Function;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.joda.time.Duration;

/**
 * Runs a pipeline to the end and, where the runner reports metrics while it runs (the
 * DirectRunner), prints a progress line from the {@code featurepipe} counters every few seconds.
 * On runners that only report at the end (Flink attached), the steps' own log lines show progress.
 */
final class PipelineRun {
  private static final long PERIOD_MILLIS = 5_000;

  private PipelineRun() {}

  /**
   * Runs {@code pipeline}; {@code progress} turns the counters seen so far into one line (or null to
   * print nothing). Fails with the pipeline's error when it fails.
   */
  static PipelineResult run(
      Pipeline pipeline, PrintStream out, Function<Map<String, Long>, String> progress) {
    boolean live = pipeline.getOptions().getRunner() == DirectRunner.class;
    if (live) {
      pipeline.getOptions().as(DirectOptions.class).setBlockOnRun(false);
    }
    PipelineResult result = pipeline.run();
    if (live) {
      String last = null;
      while (true) {
        PipelineResult.State state = result.waitUntilFinish(Duration.millis(PERIOD_MILLIS));
        if (state != null && state.isTerminal()) {
          break;
        }
        String line = progress.apply(counters(result));
        if (line != null && !line.equals(last)) {
          out.println("  ... " + line);
          last = line;
        }
      }
    }
    PipelineResult.State state = result.waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("the pipeline ended " + state);
    }
    return result;
  }

  /** The {@code featurepipe} counters of a (running or finished) pipeline, by name. */
  static Map<String, Long> counters(PipelineResult result) {
    return Counters.of(result);
  }
}
