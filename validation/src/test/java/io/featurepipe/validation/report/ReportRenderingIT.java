package io.featurepipe.validation.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.validation.gate.GateDecision;
import io.featurepipe.validation.gate.QualityGate;
import io.featurepipe.validation.testing.Corruption;
import io.featurepipe.validation.testing.Repositories;
import io.featurepipe.validation.testing.SamplePayments;
import io.featurepipe.validation.testing.SampleRun;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.metadata.v0.Anomalies;

/**
 * Renders the report of a corrupted sample batch in headless Chromium (installed by the build when
 * missing; the test fails when it cannot run): the DOM shows the anomalies first and a histogram
 * per numeric feature, and the screenshot is a real, colourful page.
 */
class ReportRenderingIT {
  static final String CHROMIUM = System.getenv().getOrDefault("FEATUREPIPE_CHROMIUM", "/usr/bin/chromium");

  @TempDir static Path dir;
  static Path report;
  static GateDecision decision;

  @BeforeAll
  static void writeReport() throws IOException {
    FeatureRepository repo =
        Repositories.withExpect(SamplePayments.repository(), "user_spend", "amount", Map.of("max_drift", 0.1));
    String baseline = dir.resolve("baseline").toString();
    String run = dir.resolve("run").toString();
    SampleRun.write(repo, SamplePayments.payments(repo, 2, 3), baseline, null);
    List<SourceRecord> corrupted = Corruption.corrupt(repo.source("payments"), SamplePayments.payments(repo, 9, 10), 7);
    Map<String, Anomalies> anomalies = SampleRun.write(repo, corrupted, run, baseline);
    decision = QualityGate.decide(QualityGate.Mode.BLOCK, anomalies);
    report = Path.of(HtmlReport.write(run, "validate payments 2026-01-09..2026-01-10", baseline, decision));
  }

  private static String chromium(Path userData, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + userData));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("chromium-" + userData.getFileName() + ".log").toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
    assertEquals(0, p.exitValue(), "chromium failed: " + Files.readString(dir.resolve("chromium-" + userData.getFileName() + ".log")));
    return new String(out, StandardCharsets.UTF_8);
  }

  @Test
  void domShowsAnomaliesAndHistograms() throws Exception {
    String dom = chromium(Files.createTempDirectory(dir, "dom"), "--dump-dom", report.toUri().toString());
    Matcher m = Pattern.compile("data-anomaly-count=\"(\\d+)\"").matcher(dom);
    assertTrue(m.find(), "no anomalies section in\n" + dom.substring(0, Math.min(2000, dom.length())));
    assertTrue(Integer.parseInt(m.group(1)) > 0);
    assertTrue(dom.contains("gate: BLOCK"), "verdict missing");
    // anomalies come before the first dataset section, errors highlighted
    int anomaliesAt = dom.indexOf("class=\"anomalies\"");
    assertTrue(anomaliesAt >= 0 && anomaliesAt < dom.indexOf("class=\"dataset\""));
    assertTrue(dom.contains("<tr class=\"anomaly error\">"));
    assertTrue(dom.contains("COMPARATOR_L_INFTY_HIGH") && dom.contains(">currency</a>"), "currency drift missing");
    assertTrue(dom.contains("FLOAT_TYPE_BIG_FLOAT"));
    // one histogram per numeric feature of the datasets, drawn with bars and the baseline's outline
    int histograms = count(dom, "<svg class=\"histogram\"");
    assertTrue(histograms >= 20, histograms + " histograms");
    assertTrue(count(dom, "<rect class=\"bar\"") > 100);
    assertTrue(count(dom, "<rect class=\"base\"") > 100);
    assertTrue(count(dom, "<svg class=\"topvalues\"") >= 20);
    // drift measurements, the failing one marked
    assertTrue(dom.contains("class=\"measure high\""));
    assertTrue(dom.contains("class=\"measure fine\""));
  }

  @Test
  void screenshotIsARealPage() throws Exception {
    Path png = dir.resolve("report.png");
    chromium(Files.createTempDirectory(dir, "shot"), "--hide-scrollbars", "--window-size=1400,2200",
        "--screenshot=" + png, report.toUri().toString());
    // kept for a person to look at: target/report-screenshot.png, target/report.html
    Files.copy(png, Path.of("target", "report-screenshot.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(report, Path.of("target", "report.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    BufferedImage image = ImageIO.read(new File(png.toString()));
    assertEquals(1400, image.getWidth());
    int red = 0;
    int blue = 0;
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        int rgb = image.getRGB(x, y);
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        if (r > 170 && g < 80 && b < 80) {
          red++; // error pills and badges
        }
        if (b > 170 && r < 110 && g > 80 && g < 150) {
          blue++; // histogram bars
        }
      }
    }
    assertTrue(red > 50, "no error highlighting visible: " + red);
    assertTrue(blue > 200, "no histogram bars visible: " + blue);
  }

  private static int count(String s, String needle) {
    int n = 0;
    for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
