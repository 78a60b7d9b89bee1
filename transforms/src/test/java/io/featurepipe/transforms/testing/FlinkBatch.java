package io.featurepipe.transforms.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Options for a batch pipeline on an embedded Flink mini-cluster, set as featurepipe's commands run
 * a batch job on Flink (the runners module's {@code FlinkDefaults}, which these modules cannot
 * see; {@code FlinkDefaultsTest} checks the two agree): Flink's DataStream API in BATCH execution
 * mode, every step at the job's parallelism (the adaptive batch scheduler's auto-parallelism off),
 * managed memory (where keyed steps sort their input) at 0.7 of the free heap,
 * records passed between chained steps without copies.
 */
public final class FlinkBatch {
  /** The Flink configuration of every batch job on DataStream, as {@code FlinkDefaults} writes it. */
  public static final String CONFIGURATION =
      "execution.batch.adaptive.auto-parallelism.enabled: false\n"
          + "taskmanager.memory.managed.fraction: 0.7";

  private static Path configurationDirectory;

  private FlinkBatch() {}

  /** Embedded ({@code [local]}) batch options at {@code parallelism}. */
  public static FlinkPipelineOptions options(int parallelism) {
    FlinkPipelineOptions o = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    o.setRunner(FlinkRunner.class);
    o.setFlinkMaster("[local]");
    o.setParallelism(parallelism);
    o.setFasterCopy(true);
    o.setUseDataStreamForBatch(true);
    o.setFlinkConfDir(configurationDirectory().toString());
    return o;
  }

  private static synchronized Path configurationDirectory() {
    if (configurationDirectory == null) {
      try {
        Path dir = Files.createTempDirectory("flink-batch-conf-");
        dir.toFile().deleteOnExit(); // after the file: files registered later are deleted first
        Files.writeString(dir.resolve("config.yaml"), CONFIGURATION + "\n").toFile().deleteOnExit();
        configurationDirectory = dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return configurationDirectory;
  }
}
