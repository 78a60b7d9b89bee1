package io.featurepipe.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.validate.BadBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code featurepipe validate} on the command line: the clean sample passes (exit 0) with every
 * dataset's outputs in the layout, the inferred schemas listed for review and a report that
 * renders in headless Chromium; a corrupted day ({@link BadBatch}) exits 3 naming the features,
 * and 0 with {@code --gate=warn}, saying so; a day with a tenth of its records raises a volume alert.
 */
class ValidateCommandIT {
  static final Path DEFS = Path.of("../feature-defs/payments");
  static final Path SAMPLE = Path.of("../test-data/sample").toAbsolutePath().normalize();
  static final LocalDate DAY = LocalDate.of(2026, 1, 13);
  static final String CHROMIUM = System.getenv().getOrDefault("FEATUREPIPE_CHROMIUM", "/usr/bin/chromium");

  @Test
  void theCleanSamplePassesWithEveryOutputAndARenderedReport(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("validation");
    CliRun run = validate(SAMPLE, out, "--infer-schema", "--alerts=" + dir.resolve("alerts"));
    assertEquals(0, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().contains("gate (block): PASS"), run.out());
    assertTrue(run.out().contains("inferred schemas (for review, not used to validate):"), run.out());
    assertTrue(run.out().contains("report: " + out + "/report.html"), run.out());
    for (String dataset : List.of("payments/source", "merchant_risk/input", "merchant_risk/features")) {
      for (String file : List.of("stats.pb", "schema.pbtxt", "anomalies.pbtxt", "inferred_schema.pbtxt")) {
        assertTrue(Files.size(out.resolve(dataset).resolve(file)) > 0, dataset + "/" + file);
      }
    }
    assertTrue(Files.exists(out.resolve("gate.json")));
    assertEquals(List.of(), volumeAlerts(dir.resolve("alerts")), "the sample's days are alike");
    String dom = dumpDom(dir, out.resolve("report.html"));
    assertTrue(dom.contains("gate: PASS"), dom.substring(0, Math.min(2000, dom.length())));
    assertTrue(dom.contains("merchant_category"), "the report shows the columns");
  }

  @Test
  void aCorruptedDayExitsNonZeroAndOnlyWarnsWithGateWarn(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad");
    BadBatch.write(SAMPLE, bad, List.of(DAY));
    CliRun blocked = validate(bad, dir.resolve("blocked"));
    assertEquals(BackfillCommand.BLOCKED, blocked.exitCode(), blocked.out() + blocked.err());
    assertTrue(blocked.out().contains("gate (block): BLOCK"), blocked.out());
    assertTrue(blocked.out().contains("merchant_risk/input / amount: FLOAT_TYPE_BIG_FLOAT"), blocked.out());
    assertTrue(blocked.out().contains("merchant_risk/input / merchant_category: FEATURE_TYPE_LOW_FRACTION_PRESENT"), blocked.out());
    CliRun warned = validate(bad, dir.resolve("warned"), "--gate=warn");
    assertEquals(0, warned.exitCode(), warned.out() + warned.err());
    assertTrue(warned.out().contains("gate (warn): WARN"), warned.out());
    assertTrue(warned.out().contains("these ERROR anomalies do not block"), warned.out());
  }

  /**
   * A day whose payments file lost nine lines of ten (1,222 lines, 123 left): its volume against
   * the median 1,252 records (by event time) of the seven days before (the lookback of the 7-day
   * windows) is an ERROR alert, which does not block (the gate decides on anomalies), and only that
   * day is named.
   */
  @Test
  void aDayWithATenthOfItsRecordsRaisesAVolumeAlert(@TempDir Path dir) throws Exception {
    Path thin = dir.resolve("thin");
    for (String folder : List.of("payments", "logins")) {
      Files.createDirectories(thin.resolve(folder));
      try (var files = Files.list(SAMPLE.resolve(folder))) {
        for (Path f : files.toList()) {
          Files.copy(f, thin.resolve(folder).resolve(f.getFileName()));
        }
      }
    }
    Path day = thin.resolve("payments/" + DAY + ".jsonl");
    List<String> lines = Files.readAllLines(day);
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < lines.size(); i += 10) {
      kept.add(lines.get(i));
    }
    Files.write(day, kept);
    CliRun run = validate(thin, dir.resolve("out"), "--alerts=" + dir.resolve("alerts"));
    assertEquals(0, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().contains("volume: 1 day of source payments far from the days before"), run.out());
    List<String> volume = volumeAlerts(dir.resolve("alerts"));
    assertEquals(1, volume.size(), volume.toString());
    var alert = new com.fasterxml.jackson.databind.ObjectMapper().readTree(volume.get(0));
    assertEquals("ERROR volume payments " + DAY + "T00:00:00Z",
        alert.get("severity").asText() + " " + alert.get("check").asText() + " " + alert.get("group").asText() + " "
            + alert.get("window_start").asText(), volume.toString());
    assertEquals(123 / 1252.0, alert.get("measured").asDouble(), 1e-9, volume.toString());
  }

  /** The {@code volume} alerts written under a folder, as JSON lines. */
  static List<String> volumeAlerts(Path folder) throws java.io.IOException {
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(folder)) {
      return out;
    }
    try (var files = Files.walk(folder)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        for (String line : Files.readAllLines(f)) {
          if (line.contains("\"check\":\"volume\"")) {
            out.add(line);
          }
        }
      }
    }
    return out;
  }

  static CliRun validate(Path data, Path out, String... more) {
    List<String> args = new ArrayList<>(List.of(
        "validate", DEFS.toString(), "--groups=merchant_risk", "--from=" + DAY, "--to=" + DAY,
        "--data-root=" + data, "--output=" + out));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  static String dumpDom(Path dir, Path report) throws Exception {
    Path userData = Files.createTempDirectory(dir, "chromium");
    Path log = dir.resolve("chromium.log");
    Process p = new ProcessBuilder(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + userData, "--dump-dom", report.toUri().toString())
        .redirectError(log.toFile()).start();
    byte[] dom = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
    assertEquals(0, p.exitValue(), "chromium failed: " + Files.readString(log));
    return new String(dom, StandardCharsets.UTF_8);
  }
}
