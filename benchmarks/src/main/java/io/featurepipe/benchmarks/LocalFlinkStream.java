package io.featurepipe.benchmarks;

import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** The options of a stream the suites run on Flink {@code [local]}. */
public final class LocalFlinkStream {
  private LocalFlinkStream() {}

  /**
   * A streaming job on a mini-cluster in this JVM, parallelism 2, submitted detached (the suite
   * cancels it): before {@code FlinkDefaults.apply}, which the caller runs after its own settings.
   */
  public static FlinkPipelineOptions options(String jobName) {
    FlinkPipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    options.setRunner(FlinkRunner.class);
    options.setFlinkMaster("[local]");
    options.setParallelism(2);
    options.setStreaming(true);
    options.setAttachedMode(false);
    options.setJobName(jobName);
    return options;
  }
}
