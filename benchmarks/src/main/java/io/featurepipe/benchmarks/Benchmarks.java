package io.featurepipe.benchmarks;

import io.featurepipe.benchmarks.validation.ValidationOverheadSuite;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Runs benchmark suites and writes each one's section of {@code BENCHMARKS.md}: what was measured,
 * on which machine, with how much data, and a baseline measured in the same run so that ratios
 * hold on noisy machines. Run through {@code ./benchmarks/run [suite ...]}.
 */
@Command(name = "benchmarks", mixinStandardHelpOptions = true, description = "Run featurepipe benchmark suites.")
public final class Benchmarks implements Callable<Integer> {

  /** Every suite, by name, in the order they run and appear. */
  static Map<String, BenchmarkSuite> suites() {
    Map<String, BenchmarkSuite> all = new LinkedHashMap<>();
    for (BenchmarkSuite s : List.<BenchmarkSuite>of(
        new io.featurepipe.benchmarks.offline.OfflineSuite(),
        new io.featurepipe.benchmarks.online.OnlineBenchmark(),
        new io.featurepipe.benchmarks.online.FreshnessBenchmark(),
        new io.featurepipe.benchmarks.offline.StreamCostSuite(),
        new ValidationOverheadSuite(),
        new io.featurepipe.benchmarks.state.TileStateSuite())) {
      all.put(s.name(), s);
    }
    return all;
  }

  @Parameters(paramLabel = "SUITE", description = "Suites to run (default: all). --list shows them.")
  List<String> chosen = new ArrayList<>();

  @Option(names = "--output", required = true, description = "The BENCHMARKS.md to update.")
  Path output;

  @Option(names = "--list", description = "List the suites and exit.")
  boolean list;

  @Option(names = "--scale", defaultValue = "1.0", description = "Multiply every suite's data size (e.g. 0.01 for a smoke run).")
  double scale;

  @Override
  public Integer call() throws Exception {
    Map<String, BenchmarkSuite> all = suites();
    if (list) {
      all.values().forEach(s -> System.out.println(s.name() + "\t" + s.description()));
      return 0;
    }
    List<String> names = chosen.isEmpty() ? new ArrayList<>(all.keySet()) : chosen;
    for (String n : names) {
      if (!all.containsKey(n)) {
        throw new IllegalArgumentException("no benchmark suite '" + n + "'; known: " + all.keySet());
      }
    }
    Machine machine = Machine.describe();
    BenchmarksFile file = BenchmarksFile.read(output);
    for (String n : names) {
      BenchmarkSuite suite = all.get(n);
      System.err.println("benchmark " + n + ": " + suite.description());
      String section = suite.run(new BenchmarkSuite.Context(scale, machine));
      file.put(n, section);
      file.write(output, machine);
      System.err.println("benchmark " + n + ": written to " + output);
    }
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Benchmarks()).execute(args));
  }
}
