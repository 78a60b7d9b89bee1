package io.featurepipe.runners;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code featurepipe} command: {@code featurepipe <command> [options] [Beam pipeline options]}.
 * Options a command does not know are passed to Beam, e.g. {@code --runner=FlinkRunner
 * --flinkMaster=[local]}.
 */
@Command(
    name = "featurepipe",
    mixinStandardHelpOptions = true,
    versionProvider = FeaturepipeCli.Version.class,
    description = "Feature pipelines on Apache Beam: one definition, one transform, bounded and unbounded.",
    subcommands = {
      QuickstartCommand.class,
      PlanCommand.class,
      BackfillCommand.class,
      StreamCommand.class,
      MaterializeCommand.class,
      ComputeCommand.class,
      TrainingSetCommand.class,
      GetCommand.class,
      ServeCommand.class,
      AuditCommand.class,
      EmulatorCommand.class,
      ValidateCommand.class,
      ReplayCommand.class,
      TemplateCommand.class,
      CommandLine.HelpCommand.class
    })
public final class FeaturepipeCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Runs a command line and returns its exit code (0 ok, 1 failure, 2 usage error). */
  /** The width of every command's {@code --help}. */
  static final int USAGE_WIDTH = 100;

  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new FeaturepipeCli());
    // the commands' descriptions are written in lines of up to 100 characters: wrapped at picocli's
    // default 80 they would break mid-sentence
    cli.setUsageHelpWidth(USAGE_WIDTH);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("featurepipe: " + Errors.describe(e));
          if (Boolean.getBoolean("featurepipe.debug")) {
            e.printStackTrace(commandLine.getErr());
          }
          return 1;
        });
    return cli.execute(args);
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = FeaturepipeCli.class.getPackage().getImplementationVersion();
      return new String[] {"featurepipe " + (v == null ? "dev" : v)};
    }
  }
}
