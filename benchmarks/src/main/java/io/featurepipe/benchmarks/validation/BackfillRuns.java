package io.featurepipe.benchmarks.validation;

import io.featurepipe.pipelines.backfill.Backfill;
import io.featurepipe.pipelines.validate.GateRecord;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Backfills of one data folder, each into a fresh offline root, timed (wall and process CPU). */
final class BackfillRuns {
  private final FeatureRepository repository;
  private final Path data;
  private final Path work;
  private int count;
  private Path lastOffline;

  BackfillRuns(FeatureRepository repository, Path data, Path work) {
    this.repository = repository;
    this.data = data;
    this.work = work;
  }

  /**
   * How long a backfill took.
   *
   * @param rows feature rows published
   */
  record Timing(long wallMillis, long cpuMillis, long rows) {
    static Timing median(List<Timing> timings) {
      List<Timing> sorted = new ArrayList<>(timings);
      sorted.sort(Comparator.comparingLong(Timing::wallMillis));
      Timing byWall = sorted.get(sorted.size() / 2);
      long cpu = timings.stream().mapToLong(Timing::cpuMillis).sorted().skip(timings.size() / 2).findFirst().orElseThrow();
      return new Timing(byWall.wallMillis(), cpu, byWall.rows());
    }

    static String list(List<Timing> off, List<Timing> on) {
      return "off " + off.stream().map(Timing::toString).collect(Collectors.joining(", "))
          + "; on " + on.stream().map(Timing::toString).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.1f s wall / %.1f s CPU", wallMillis / 1000.0, cpuMillis / 1000.0);
    }
  }

  /** Backfills every group over {@code from..to}, with or without validation, on the DirectRunner. */
  Timing run(boolean validate, LocalDate from, LocalDate to) throws IOException {
    Path offline = work.resolve("offline-" + (++count));
    Backfill.Spec spec =
        new Backfill.Spec(repository, data.toString(), from, to, List.of(), offline.toString(), "bench-" + count, null);
    if (!validate) {
      spec = spec.withValidation(null);
    }
    DirectOptions options = PipelineOptionsFactory.as(DirectOptions.class);
    options.setRunner(DirectRunner.class);
    // as the command line runs it (BeamArgs): the DirectRunner's extra element checks off
    options.setEnforceImmutability(false);
    options.setEnforceEncodability(false);
    Pipeline p = Pipeline.create(options);
    Backfill.build(p, spec);
    System.gc();
    long cpu0 = processCpuNanos();
    long t0 = System.nanoTime();
    PipelineResult result = p.run();
    result.waitUntilFinish();
    long wall = System.nanoTime() - t0;
    long cpu = processCpuNanos() - cpu0;
    if (validate) {
      GateRecord gate = GateRecord.read(spec.validationOutput());
      if (gate == null || gate.blocks()) {
        throw new IllegalStateException("the generated data should pass the gate: " + (gate == null ? "no gate.json" : gate.reason()));
      }
    }
    deleteTree(lastOffline);
    lastOffline = offline;
    return new Timing(wall / 1_000_000, cpu / 1_000_000, counter(result, "offline_rows_published"));
  }

  /** The offline root of the last run (kept for the profile). */
  Path lastOffline() {
    return lastOffline;
  }

  void deleteWork(Path dir) throws IOException {
    deleteTree(dir);
  }

  private static long counter(PipelineResult result, String name) {
    long sum = 0;
    for (MetricResult<Long> c : result.metrics()
        .queryMetrics(MetricsFilter.builder().addNameFilter(MetricNameFilter.named("featurepipe", name)).build())
        .getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
