package io.featurepipe.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.featurepipe.pipelines.backfill.Backfill;
import io.featurepipe.sinks.offline.OfflineStore;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quickstart's online part on the bundled sample, after a backfill of its last day: the stream
 * replay drains, {@code get} prints three users as the offline rows hold them, and the audit
 * compares every online group with no mismatch.
 */
class QuickstartOnlineIT {

  @Test
  void streamsTheLastDayReadsItBackAndTheAuditFindsNoMismatch(@TempDir Path dir) throws Exception {
    FeatureRepository repo = RepositoryLoader.load(Path.of("../feature-defs/payments"));
    Path offline = dir.resolve("offline");
    Pipeline p = Pipeline.create(BeamArgs.parse(List.of(), "quickstart-online-it-backfill"));
    Backfill.build(p, new Backfill.Spec(repo, Path.of("../test-data/sample").toAbsolutePath().toString(),
        QuickstartOnline.DAY, QuickstartOnline.DAY, QuickstartOnline.GROUPS, offline.toString(), "it", null));
    p.run().waitUntilFinish();

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    QuickstartOnline.Summary s;
    long start = System.nanoTime();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      s = QuickstartOnline.run(dir, offline, out);
    }
    String printed = bytes.toString(StandardCharsets.UTF_8);
    System.out.println(printed);
    long took = System.nanoTime() - start;

    assertTrue(s.produced().get("payments") > 1000 && s.produced().get("logins") > 100, s.produced().toString());
    assertTrue(s.cellsWritten() > 10_000, printed);
    assertTrue(s.auditPassed(), printed);
    assertEquals(0, s.mismatches(), printed);
    assertEquals(QuickstartOnline.GROUPS.size() * QuickstartOnline.AUDIT_SAMPLES, s.samplesCompared(), printed);
    assertTrue(printed.contains("audit passed"), printed);
    System.out.printf("QuickstartOnline.run took %.1f s%n", took / 1e9);

    // get: three users, fresh, at window end 18:00, each feature as the offline row holds it
    assertEquals(3, s.rows().size(), printed);
    ObjectMapper json = new ObjectMapper();
    long e = Instant.parse("2026-01-14T18:00:00Z").toEpochMilli();
    List<FeatureRow> offlineRows = new OfflineStore(repo, offline.toString()).rows(QuickstartOnline.GET_GROUP, QuickstartOnline.DAY);
    List<FeatureDef> features = repo.group(QuickstartOnline.GET_GROUP).features();
    for (String line : s.rows()) {
      JsonNode row = json.readTree(line);
      assertTrue(row.get("_fresh").asBoolean(), line);
      assertEquals("2026-01-14T18:00:00Z", row.get("_window_end").asText(), line);
      FeatureRow want = offlineRows.stream()
          .filter(r -> r.windowEndMillis() == e && r.key().get(0).equals(row.get("user_id").asText())).findFirst().orElseThrow();
      for (int f = 0; f < features.size(); f++) {
        JsonNode expected = json.valueToTree(want.values()[f]);
        JsonNode got = row.get(features.get(f).name());
        boolean same = expected.isNumber() && got.isNumber() ? expected.asDouble() == got.asDouble() : expected.equals(got);
        assertTrue(same, features.get(f).name() + ": offline " + expected + " in " + line);
      }
      assertTrue(printed.contains("  " + line), printed);
    }
  }
}
