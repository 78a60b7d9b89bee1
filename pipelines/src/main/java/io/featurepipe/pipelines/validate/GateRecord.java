package io.featurepipe.pipelines.validate;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.featurepipe.validation.gate.GateDecision;
import io.featurepipe.validation.gate.GateIssue;
import io.featurepipe.validation.output.ValidationFiles;
import io.featurepipe.validation.output.ValidationLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;

/**
 * What the quality gate of a bounded run decided, written as {@code gate.json} beside the run's
 * validation outputs ({@code <out>/gate.json}) by the run itself: the run, its days and groups, the
 * baseline it was compared with, the mode and verdict with the reason, every ERROR and WARNING
 * anomaly reason, and the counts per dataset. Commands print it; {@link Baseline#previousRun()}
 * searches these records for the previous run.
 *
 * @param runId the run's id
 * @param command {@code backfill} or {@code validate}
 * @param from first day (ISO date)
 * @param to last day (ISO date, inclusive)
 * @param groups the feature groups validated
 * @param baseline the validation output the run was compared with, or null
 * @param mode {@code BLOCK} or {@code WARN}
 * @param verdict {@code PASS}, {@code WARN} or {@code BLOCK}
 * @param reason the gate's reason ({@link GateDecision#reason()})
 * @param errors every ERROR anomaly reason ({@link GateIssue#toString()})
 * @param warnings every WARNING anomaly reason
 * @param datasets the datasets validated, in report order, with their counts
 * @param root the validation output root holding this record (set when read)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GateRecord(
    String runId,
    String command,
    String from,
    String to,
    List<String> groups,
    String baseline,
    String mode,
    String verdict,
    String reason,
    List<String> errors,
    List<String> warnings,
    List<DatasetCount> datasets,
    String root) {

  /** The file name under a validation output root. */
  public static final String FILE = "gate.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * Anomaly reasons of one dataset.
   *
   * @param dataset {@code <source or group>/<kind folder>}, e.g. {@code user_spend/input}
   * @param errors ERROR anomaly reasons
   * @param warnings WARNING anomaly reasons
   */
  public record DatasetCount(String dataset, int errors, int warnings) {}

  /** The record of a decision over the given datasets (labels in report order). */
  public static GateRecord of(
      RunInfo run, String baseline, String mode, List<String> datasets, GateDecision decision, String root) {
    List<DatasetCount> counts = new ArrayList<>();
    for (String d : datasets) {
      counts.add(
          new DatasetCount(
              d,
              (int) decision.errors().stream().filter(i -> i.dataset().equals(d)).count(),
              (int) decision.warnings().stream().filter(i -> i.dataset().equals(d)).count()));
    }
    return new GateRecord(
        run.runId(), run.command(), run.from().toString(), run.to().toString(), run.groups(), baseline, mode,
        decision.verdict().name(), decision.reason(),
        decision.errors().stream().map(GateIssue::toString).toList(),
        decision.warnings().stream().map(GateIssue::toString).toList(),
        counts, root);
  }

  /** Whether the run must not publish. */
  public boolean blocks() {
    return GateDecision.Verdict.BLOCK.name().equals(verdict);
  }

  /**
   * The summary commands print: anomaly reasons per dataset, the gate's verdict and why, the
   * baseline, and where the report is.
   */
  public String render() {
    StringBuilder b = new StringBuilder();
    b.append(String.format("validation of %s..%s: %s%n", from, to,
        baseline == null ? "no baseline, drift not measured" : "drift against " + baseline));
    b.append(String.format("  %-40s %8s %8s%n", "dataset", "errors", "warnings"));
    for (DatasetCount d : datasets) {
      b.append(String.format("  %-40s %8d %8d%n", d.dataset(), d.errors(), d.warnings()));
    }
    b.append("gate (").append(mode.toLowerCase(java.util.Locale.ROOT)).append("): ").append(verdict)
        .append(" - ").append(reason.replace("\n", System.lineSeparator())).append(System.lineSeparator());
    if ("WARN".equals(verdict)) {
      b.append("  the gate only warns (--gate=warn): these ERROR anomalies do not block").append(System.lineSeparator());
    }
    b.append("report: ").append(ValidationLayout.join(root, ValidationLayout.REPORT)).append(System.lineSeparator());
    return b.toString();
  }

  /** The number of days the run covered. */
  public long days() {
    return LocalDate.parse(to).toEpochDay() - LocalDate.parse(from).toEpochDay() + 1;
  }

  /** Writes {@code <root>/gate.json} (any Beam file system). */
  public void write() throws IOException {
    ValidationFiles.writeText(ValidationLayout.join(root, FILE), JSON.writeValueAsString(this) + "\n");
  }

  /** Reads {@code <root>/gate.json}, or null when the run wrote none. */
  public static GateRecord read(String root) throws IOException {
    String path = ValidationLayout.join(root, FILE);
    if (!ValidationFiles.exists(path)) {
      return null;
    }
    return JSON.readValue(readText(path), GateRecord.class).at(root);
  }

  /** Every record in the run folders directly under {@code runs} ({@code <runs>/<run>/gate.json}). */
  public static List<GateRecord> readAll(String runs) throws IOException {
    List<GateRecord> out = new ArrayList<>();
    for (String path : ValidationFiles.match(ValidationLayout.join(runs, "*/" + FILE))) {
      out.add(JSON.readValue(readText(path), GateRecord.class)
          .at(path.substring(0, path.length() - FILE.length() - 1)));
    }
    return out;
  }

  /**
   * The previous run of a range among {@code records}: the one that covered as many days, ended
   * before {@code from}, and passed its gate (verdict PASS), latest last day first; null if none.
   */
  public static GateRecord previous(List<GateRecord> records, LocalDate from, LocalDate to) {
    long days = to.toEpochDay() - from.toEpochDay() + 1;
    return records.stream()
        .filter(r -> GateDecision.Verdict.PASS.name().equals(r.verdict()))
        .filter(r -> r.days() == days && LocalDate.parse(r.to()).isBefore(from))
        .max(Comparator.comparing((GateRecord r) -> LocalDate.parse(r.to())).thenComparing(GateRecord::runId))
        .orElse(null);
  }

  private static String readText(String path) throws IOException {
    var id = FileSystems.matchSingleFileSpec(path).resourceId();
    try (InputStream in = Channels.newInputStream(FileSystems.open(id))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private GateRecord at(String newRoot) {
    return new GateRecord(runId, command, from, to, groups, baseline, mode, verdict, reason, errors, warnings, datasets, newRoot);
  }
}
