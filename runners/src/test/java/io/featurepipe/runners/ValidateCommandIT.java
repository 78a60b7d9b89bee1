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
 * and 0 with {@code --gate=warn}, saying so.
 */
class ValidateCommandIT {
  static final Path DEFS = Path.of("../feature-defs/payments");
  static final Path SAMPLE = Path.of("../test-data/sample").toAbsolutePath().normalize();
  static final LocalDate DAY = LocalDate.of(2026, 1, 13);
  static final String CHROMIUM = System.getenv().getOrDefault("FEATUREPIPE_CHROMIUM", "/usr/bin/chromium");

  @Test
  void theCleanSamplePassesWithEveryOutputAndARenderedReport(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("validation");
    CliRun run = validate(SAMPLE, out, "--infer-schema");
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
