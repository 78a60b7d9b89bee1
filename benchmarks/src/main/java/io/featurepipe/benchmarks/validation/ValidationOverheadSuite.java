package io.featurepipe.benchmarks.validation;

import io.featurepipe.benchmarks.BenchmarkSuite;
import io.featurepipe.benchmarks.Machine;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.testdata.PaymentsConfig;
import io.featurepipe.testdata.PaymentsGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Suite {@code validation}: what validation inside a backfill costs. Generates a payments world
 * ({@link PaymentsGenerator}; 600 users × {@code --scale}, 14 days), then backfills its second
 * week (every group, the first week read as lookback) on the DirectRunner with validation off and
 * on, alternating, in one JVM after a warm-up; reports the wall and CPU time of each and the
 * overhead (target: at most 15%). Then times each part of validation alone on the same data,
 * single-threaded and without a runner ({@link ValidationProfile}), to show where the time goes.
 */
public final class ValidationOverheadSuite implements BenchmarkSuite {
  static final int DAYS = 14;
  static final int RUNS = 5;

  @Override
  public String name() {
    return "validation";
  }

  @Override
  public String description() {
    return "backfill wall time with validation (checks, statistics, anomalies, gate) on and off, and where the time goes";
  }

  @Override
  public String run(Context context) throws Exception {
    FeatureRepository repo = BenchmarkSuite.exampleCatalog();
    int users = (int) Math.min(9999, Math.max(20, context.scaled(600)));
    PaymentsConfig config =
        PaymentsConfig.builder().users(users).merchants(Math.max(8, Math.min(999, users / 5))).days(DAYS).build();
    Path work = Files.createTempDirectory("featurepipe-bench-validation");
    Path data = work.resolve("data");
    PaymentsGenerator generator = new PaymentsGenerator(config);
    generator.writePayments(data);
    generator.writeLogins(data);
    LocalDate from = config.start().plusDays(7);
    LocalDate to = config.start().plusDays(DAYS - 1);
    BackfillRuns runs = new BackfillRuns(repo, data, work);

    System.err.println("benchmark validation: warm-up");
    runs.run(true, to, to);
    List<BackfillRuns.Timing> off = new ArrayList<>();
    List<BackfillRuns.Timing> on = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      boolean firstOn = i % 2 == 1;
      for (boolean validate : new boolean[] {firstOn, !firstOn}) {
        BackfillRuns.Timing t = runs.run(validate, from, to);
        System.err.printf("benchmark validation: run %d, validation %s: %s%n", i + 1, validate ? "on" : "off", t);
        (validate ? on : off).add(t);
      }
    }
    BackfillRuns.Timing offMedian = BackfillRuns.Timing.median(off);
    BackfillRuns.Timing onMedian = BackfillRuns.Timing.median(on);
    ValidationProfile profile = ValidationProfile.measure(repo, data, from, to, runs.lastOffline());

    StringBuilder md = new StringBuilder();
    md.append("## validation: the cost of validation inside a backfill\n\n");
    md.append(machineLine(context.machine())).append("\n\n");
    md.append(String.format(Locale.ROOT,
        "Data (`./benchmarks/run validation --scale %s`): a generated payments world (`PaymentsConfig`: %d users, %d merchants, %d days, seed %d): "
            + "%,d payments and %,d logins. The backfill publishes the last %d days of every group "
            + "(the first week is read as lookback), on the DirectRunner, %d runs each way, alternating, "
            + "in one JVM after a warm-up; medians.%n%n",
        context.scale(), config.users(), config.merchants(), config.days(), config.seed(), generator.payments().size(),
        generator.logins().size(), to.toEpochDay() - from.toEpochDay() + 1, RUNS));
    md.append("| backfill | wall (s) | CPU (s) | feature rows published |\n|---|---:|---:|---:|\n");
    md.append(row("validation off (`--no-validation`)", offMedian));
    md.append(row("validation on (checks, statistics, anomalies, report, gate)", onMedian));
    double overhead = onMedian.wallMillis() / (double) offMedian.wallMillis() - 1;
    double cpuOverhead = onMedian.cpuMillis() / (double) offMedian.cpuMillis() - 1;
    md.append(String.format(Locale.ROOT,
        "%n**Overhead of validation: %+.0f%% wall time, %+.0f%% CPU time** (target: at most +15%% wall). "
            + "Every run: %s.%n%n",
        overhead * 100, cpuOverhead * 100, BackfillRuns.Timing.list(off, on)));
    md.append(profile.markdown(onMedian.cpuMillis() - offMedian.cpuMillis(), off.stream().map(BackfillRuns.Timing::cpuMillis).toList()));
    runs.deleteWork(work);
    return md.toString();
  }

  private static String row(String what, BackfillRuns.Timing t) {
    return String.format(Locale.ROOT, "| %s | %.1f | %.1f | %,d |%n", what, t.wallMillis() / 1000.0, t.cpuMillis() / 1000.0, t.rows());
  }

  private static String machineLine(Machine m) {
    return "Machine: " + m.cpu() + ", " + m.cores() + " cores, " + m.memoryGiB() + " GiB, " + m.java()
        + ", commit " + m.commit() + ", " + m.at() + ".";
  }
}
