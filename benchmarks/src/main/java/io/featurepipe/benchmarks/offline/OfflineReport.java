package io.featurepipe.benchmarks.offline;

import io.featurepipe.benchmarks.BenchmarkSuite;
import io.featurepipe.benchmarks.Machine;
import io.featurepipe.benchmarks.offline.OfflineSuite.EngineRun;
import io.featurepipe.benchmarks.offline.OfflineSuite.SizeRun;
import io.featurepipe.benchmarks.offline.OfflineSuite.TimeGoes;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/** The suite's section of {@code BENCHMARKS.md}, from its measurements. */
final class OfflineReport {
  static final double TARGET = 3.0;

  private final BenchmarkSuite.Context context;
  private final SizeRun full;
  private final SizeRun small;
  private final double directFraction;
  private final TimeGoes goes;
  private final StringBuilder b = new StringBuilder();

  OfflineReport(BenchmarkSuite.Context context, SizeRun full, SizeRun small, double directFraction, TimeGoes goes) {
    this.context = context;
    this.full = full;
    this.small = small;
    this.directFraction = directFraction;
    this.goes = goes;
  }

  String render() {
    b.append("## offline\n\n");
    b.append("Backfill (payment files to offline feature rows) and point-in-time training set (spine and offline\n")
        .append("rows to a training file): featurepipe on Flink embedded and on the DirectRunner, against DuckDB and a\n")
        .append("single-threaded plain-Java pass computing the same rows from the same files, in the same run\n")
        .append("(`./benchmarks/run offline --scale ").append(fmt(context.scale(), 2)).append("`; how it works: `docs/benchmarks.md`).\n\n");
    Machine m = context.machine();
    b.append(String.format(Locale.ROOT, "Machine: %s, %d cores, %d GiB, %s, %s, commit %s, %s.%n%n",
        m.cpu(), m.cores(), m.memoryGiB(), m.java(), m.os(), m.commit(), m.at()));
    data();
    phase("Backfill", "events/s", EngineRun::backfill);
    phase("Training set", "spine rows/s", EngineRun::training);
    target();
    whereTheTimeGoes();
    equality();
    return b.toString();
  }

  private void data() {
    OfflineWorkload w = full.workload();
    b.append("**Data.** ").append(describe(w)).append(" Feature rows written (hourly window ends ")
        .append(w.from()).append(" to ").append(w.to()).append(" inclusive): ");
    rowsByGroup(full);
    b.append(".\n\n");
    b.append("**Features** (one YAML repository, the same definitions in every engine): `user_amounts`: count,\n")
        .append("sum, mean, min and max of `amount` over 1 h, 1 d and 7 d, and the last amount (16 features);\n")
        .append("`merchant_volume`: count and sum over 1 d and 7 d (4 features; `m001` takes 20% of the payments).\n")
        .append("Hop 1 h, ttl 7 d, availability delay 2 min, filter `amount != null`. Window `[e - W, e)`; a row for\n")
        .append("every window end at which the 7-day window is non-empty.\n\n");
    OfflineWorkload s = small.workload();
    b.append("**DirectRunner size.** The DirectRunner pays a fixed cost for every key of every shuffle; it runs\n")
        .append("on ").append(pct(directFraction)).append(" of the users and of the spine (").append(describe(s))
        .append(" Feature rows: ");
    rowsByGroup(small);
    b.append("), beside DuckDB and plain Java on that same data, and its ratio is to that DuckDB run.\n\n");
  }

  private static String describe(OfflineWorkload w) {
    return String.format(Locale.ROOT,
        "%s payments (%s users, %s merchants, %d days from %s; %s MB of JSON lines), %s of them with an amount;"
            + " distinct keys: %s users, %s merchants. Spine: %s rows (CSV, `user_id,merchant_id,event_time,is_fraud`).",
        count(w.events()), count(w.users()), count(w.merchants()), w.days(), w.start(), count(w.inputBytes() >> 20),
        count(w.eventsWithAmount()), count(w.distinctUsers()), count(w.distinctMerchants()), count(w.spineRows()));
  }

  private void rowsByGroup(SizeRun run) {
    int i = 0;
    for (Map.Entry<String, Long> e : new TreeMap<>(run.rowsByGroup()).entrySet()) { // in name order, run to run
      b.append(i++ == 0 ? "" : ", ").append(count(e.getValue())).append(" `").append(e.getKey()).append('`');
    }
  }

  private void phase(String title, String rate, Function<EngineRun, Measured> phase) {
    b.append("### ").append(title).append("\n\n");
    b.append("| engine | data | wall (s) | CPU (s) | JVM GC (s) | ").append(rate).append(" | rows written | × DuckDB |\n");
    b.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (SizeRun run : List.of(full, small)) {
      Measured duck = phase.apply(run.runs().get(0));
      for (EngineRun e : run.runs()) {
        Measured m = phase.apply(e);
        b.append("| ").append(e.engine()).append(" | ").append(run == full ? "full" : pct(directFraction))
            .append(" | ").append(fmt(m.seconds(), 1))
            .append(" | ").append(fmt(m.cpuSeconds(), 1))
            .append(" | ").append(fmt(m.gcMillis() / 1000.0, 1))
            .append(" | ").append(count(Math.round(m.rowsPerSecond())))
            .append(" | ").append(count(m.outputRows()))
            .append(" | ").append(fmt(m.seconds() / duck.seconds(), 1)).append("× |\n");
      }
    }
    b.append('\n');
  }

  private void target() {
    EngineRun duck = full.runs().get(0);
    EngineRun flink = full.runs().get(2);
    double backfill = flink.backfill().seconds() / duck.backfill().seconds();
    double training = flink.training().seconds() / duck.training().seconds();
    double both = (flink.backfill().seconds() + flink.training().seconds())
        / (duck.backfill().seconds() + duck.training().seconds());
    b.append("**Target: featurepipe on Flink within ").append(fmt(TARGET, 0)).append("× DuckDB's wall time.** ")
        .append("Backfill ").append(verdict(backfill)).append("; training set ").append(verdict(training))
        .append("; both phases together ").append(verdict(both)).append(".\n\n");
  }

  private static String verdict(double ratio) {
    return fmt(ratio, 1) + "× — " + (ratio <= TARGET ? "**met**" : "**not met**");
  }

  private void whereTheTimeGoes() {
    EngineRun flink = full.runs().get(2);
    b.append("### Where the time goes (featurepipe on Flink, full size)\n\n");
    b.append("Each phase again as growing pipeline prefixes, each run alone and ending in a step that only\n")
        .append("counts; a prefix's extra time is the cost of the steps it adds (the first carries the job's fixed cost).\n\n");
    b.append("| phase | pipeline prefix | wall (s) | added (s) | share of the phase |\n|---|---|---:|---:|---:|\n");
    stages("backfill", goes.backfillStages(), flink.backfill(), "full backfill (+ record checks, statistics and gate, select range, write Avro, publish)");
    stages("training set", goes.trainingStages(), flink.training(), "full training set (+ write Avro)");
    b.append('\n');
    b.append("CPU samples of the timed Flink runs (Java Flight Recorder, every thread running Java code, every\n")
        .append("10 ms). By step: the innermost DoFn on the stack (its own work and the encoding of what it outputs),\n")
        .append("or what the runner does between steps:\n\n");
    b.append("| phase | step | share of CPU samples |\n|---|---|---:|\n");
    steps("backfill", goes.backfillProfile());
    steps("training set", goes.trainingProfile());
    b.append('\n');
    b.append("By code: each sample charged to the first frame from the top of its stack in a known library or\n")
        .append("featurepipe package (JDK frames such as `HashMap.get` go to their caller):\n\n");
    b.append("| code | backfill | training set |\n|---|---:|---:|\n");
    Set<String> parts = new LinkedHashSet<>(goes.backfillProfile().byPart().keySet());
    parts.addAll(goes.trainingProfile().byPart().keySet());
    for (String part : parts) {
      double a = goes.backfillProfile().share(part);
      double t = goes.trainingProfile().share(part);
      if (a >= 0.5 || t >= 0.5) {
        b.append("| ").append(part).append(" | ").append(fmt(a, 0)).append("% | ").append(fmt(t, 0)).append("% |\n");
      }
    }
    b.append('\n');
    hottest("backfill", goes.backfillProfile());
    hottest("training set", goes.trainingProfile());
    b.append('\n');
    analysis(flink);
  }

  /** The steps with at least 1% of a phase's samples, the rest summed. */
  private void steps(String phase, CpuProfile.Breakdown p) {
    long rest = 0;
    for (Map.Entry<String, Long> e : p.byStep().entrySet()) {
      if (p.share(e.getValue()) >= 1) {
        b.append("| ").append(phase).append(" | ").append(e.getKey().startsWith("(") ? e.getKey() : "`" + e.getKey() + "`")
            .append(" | ").append(fmt(p.share(e.getValue()), 0)).append("% |\n");
      } else {
        rest += e.getValue();
      }
    }
    if (rest > 0) {
      b.append("| ").append(phase).append(" | (other steps, each under 1%) | ").append(fmt(p.share(rest), 0)).append("% |\n");
    }
  }

  private void stages(String phase, List<FeaturepipeStages.Stage> stages, Measured whole, String wholeName) {
    double previous = 0;
    for (FeaturepipeStages.Stage s : stages) {
      double t = s.measured().seconds();
      row(phase, s.name(), t, t - previous, whole.seconds());
      previous = t;
    }
    row(phase, wholeName, whole.seconds(), whole.seconds() - previous, whole.seconds());
  }

  private void row(String phase, String name, double wall, double added, double whole) {
    b.append("| ").append(phase).append(" | ").append(name).append(" | ").append(fmt(wall, 1)).append(" | ")
        .append(fmt(added, 1)).append(" | ").append(fmt(100 * added / whole, 0)).append("% |\n");
  }

  private void hottest(String phase, CpuProfile.Breakdown p) {
    b.append("Hottest methods (self time), ").append(phase).append(": ");
    int i = 0;
    for (Map.Entry<String, Long> e : p.hottest().entrySet()) {
      b.append(i++ == 0 ? "" : ", ").append('`').append(shortName(e.getKey())).append("` ")
          .append(fmt(100.0 * e.getValue() / Math.max(1, p.samples()), 1)).append('%');
    }
    b.append(".\n");
  }

  private static String shortName(String method) {
    String[] parts = method.split("\\.");
    return parts.length < 2 ? method : parts[parts.length - 2] + "." + parts[parts.length - 1];
  }

  /** A few sentences read off the figures above. */
  private void analysis(EngineRun flink) {
    EngineRun duck = full.runs().get(0);
    EngineRun java = full.runs().get(1);
    int cores = context.machine().cores();
    List<FeaturepipeStages.Stage> bf = goes.backfillStages();
    double read = bf.get(0).measured().seconds();
    double compute = bf.get(1).measured().seconds() - read;
    double write = flink.backfill().seconds() - bf.get(1).measured().seconds();
    String topStep = goes.backfillProfile().byStep().keySet().stream().findFirst().orElse("-");
    b.append("Reading the figures: on Flink the backfill keeps ")
        .append(fmt(flink.backfill().cpuSeconds() / flink.backfill().seconds(), 1)).append(" of ").append(cores)
        .append(" cores busy on average (DuckDB ").append(fmt(duck.backfill().cpuSeconds() / duck.backfill().seconds(), 1))
        .append("), and spends ").append(fmt(flink.backfill().cpuSeconds() / Math.max(1e-9, java.backfill().cpuSeconds()), 1))
        .append("× the CPU of the single-threaded pass for the same rows. Of its wall time, reading and decoding the\n")
        .append("JSON lines is about ").append(share(read, flink.backfill())).append(", `ComputeFeatures` about ")
        .append(share(compute, flink.backfill()))
        .append(" and the rest (record checks, statistics and the quality gate, writing and publishing the partitions) about ")
        .append(share(write, flink.backfill())).append("; garbage collection paused the JVM for ")
        .append(share(flink.backfill().gcMillis() / 1000.0, flink.backfill())).append(" of it. The largest part of\n")
        .append("the CPU samples by code is ").append(top(goes.backfillProfile())).append(" in the backfill and ")
        .append(top(goes.trainingProfile())).append(" in the training set; the busiest step of the backfill is ")
        .append(topStep).append(" (").append(fmt(goes.backfillProfile().share(goes.backfillProfile().byStep().getOrDefault(topStep, 0L)), 0))
        .append("%).\n\n");
  }

  private static String top(CpuProfile.Breakdown p) {
    return p.byPart().isEmpty() ? "—" : "*" + p.byPart().keySet().iterator().next() + "* ("
        + fmt(p.share(p.byPart().keySet().iterator().next()), 0) + "%)";
  }

  private static String share(double seconds, Measured whole) {
    return fmt(100 * seconds / whole.seconds(), 0) + "%";
  }

  private void equality() {
    b.append("### Same results\n\n");
    b.append("Every engine's outputs against the plain-Java pass's: every feature row of three whole dates (the\n")
        .append("data's first, middle and last day) and the training rows of every n-th spine row (about ")
        .append(EquivalenceCheck.SPINE_SAMPLE).append("), value by value;\n")
        .append("counts, min, max and last equal, sums and means within a relative ")
        .append(EquivalenceCheck.RELATIVE_TOLERANCE).append(" (featurepipe rounds the exact sum of the doubles once,\n")
        .append("the baselines the exact sum of the cents). Row counts are in the tables above.\n\n");
    b.append("| engine | data | feature rows compared | values | missing / extra rows | different values | largest relative difference | training rows compared | values | different values |\n");
    b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (SizeRun run : List.of(full, small)) {
      for (EngineRun e : run.runs()) {
        if (e.backfillCheck() == null) {
          continue;
        }
        EquivalenceCheck.Result r = e.backfillCheck();
        EquivalenceCheck.Result t = e.trainingCheck();
        b.append("| ").append(e.engine()).append(" | ").append(run == full ? "full" : pct(directFraction))
            .append(" | ").append(count(r.rows())).append(" | ").append(count(r.values()))
            .append(" | ").append(r.missing()).append(" / ").append(r.extra())
            .append(" | ").append(r.mismatches()).append(" | ").append(String.format(Locale.ROOT, "%.1e", Math.max(r.maxRelative(), t.maxRelative())))
            .append(" | ").append(count(t.rows())).append(" | ").append(count(t.values()))
            .append(" | ").append(t.mismatches() + t.missing() + t.extra()).append(" |\n");
      }
    }
    b.append('\n');
    for (SizeRun run : List.of(full, small)) {
      for (EngineRun e : run.runs()) {
        for (EquivalenceCheck.Result r : new EquivalenceCheck.Result[] {e.backfillCheck(), e.trainingCheck()}) {
          if (r != null && !r.ok()) {
            b.append("Differences, ").append(e.engine()).append(": ").append(String.join("; ", r.examples())).append(".\n");
          }
        }
      }
    }
  }

  static String fmt(double v, int decimals) {
    return String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }

  static String count(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }

  private static String pct(double fraction) {
    return fmt(100 * fraction, fraction < 0.1 ? 1 : 0) + "%";
  }
}
