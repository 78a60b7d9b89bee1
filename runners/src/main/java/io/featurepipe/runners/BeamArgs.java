package io.featurepipe.runners;

import io.featurepipe.runners.flink.FlinkDefaults;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.StreamingOptions;

/** Pipeline options from the arguments a command did not consume, with featurepipe's defaults. */
final class BeamArgs {
  private BeamArgs() {}

  /**
   * Parses the Beam options of a batch job ({@code --runner=FlinkRunner --flinkMaster=[local]
   * --parallelism=2 ...}). The DirectRunner is the default runner.
   */
  static PipelineOptions parse(List<String> unmatched, String jobName) {
    return parse(unmatched, jobName, false);
  }

  /**
   * Parses Beam options as {@link #parse(List, String)}; {@code streaming} runs the job in the
   * runner's streaming mode. On Flink, {@link FlinkDefaults} then fills in what the arguments leave
   * out, for batch or streaming.
   */
  static PipelineOptions parse(List<String> unmatched, String jobName, boolean streaming) {
    List<String> args = new ArrayList<>();
    for (String a : unmatched) {
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException(
            "unexpected argument '" + a + "': Beam pipeline options look like --name=value");
      }
      args.add(a);
    }
    PipelineOptions options = PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).withValidation().create();
    if (args.stream().noneMatch(a -> a.startsWith("--jobName"))) {
      options.setJobName(jobName);
    }
    if (options.getRunner() == DirectRunner.class) {
      // The DirectRunner re-encodes and copies every element to catch DoFn bugs; tests keep that on,
      // runs from the command line skip it unless asked for.
      DirectOptions direct = options.as(DirectOptions.class);
      if (args.stream().noneMatch(a -> a.startsWith("--enforceImmutability"))) {
        direct.setEnforceImmutability(false);
      }
      if (args.stream().noneMatch(a -> a.startsWith("--enforceEncodability"))) {
        direct.setEnforceEncodability(false);
      }
    }
    if (streaming) {
      options.as(StreamingOptions.class).setStreaming(true);
    }
    return FlinkDefaults.apply(options);
  }
}
