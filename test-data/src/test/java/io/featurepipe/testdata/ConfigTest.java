package io.featurepipe.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Edge configurations and the command line. */
class ConfigTest {

  @Test
  void tinyWorldsWork() {
    for (int merchants : new int[] {1, 2, 3, 5}) {
      GeneratedData g = new PaymentsGenerator(PaymentsConfig.builder().days(2).users(3)
          .merchants(merchants).fraudUserShare(1.0).spineRows(10).build()).generate();
      assertFalse(g.payments().isEmpty(), "merchants=" + merchants);
      assertEquals(merchants, g.merchants().size());
      assertTrue(g.spine().size() <= 10);
    }
    GeneratedData one = new PaymentsGenerator(
        PaymentsConfig.builder().days(1).users(1).merchants(1).build()).generate();
    assertEquals(1 * 2 + 2, one.files().size());
  }

  @Test
  void noDefectsNoLatenessWhenRatesAreZero() {
    GeneratedData g = new PaymentsGenerator(PaymentsConfig.builder().days(2).users(40).merchants(15)
        .badRecordRate(0).lateRate(0).build()).generate();
    assertTrue(g.badRecords().isEmpty());
    // without late events, files are in event-time order up to the 3 second delivery jitter
    for (int i = 1; i < g.payments().size(); i++) {
      Payment a = g.payments().get(i - 1);
      Payment b = g.payments().get(i);
      if (a.day().equals(b.day())) {
        assertTrue(!b.eventTime().isBefore(a.eventTime().minusSeconds(3)), a + "\n" + b);
      }
    }
  }

  @Test
  void hotShareFollowsTheConfig() {
    GeneratedData g = new PaymentsGenerator(PaymentsConfig.builder().days(3).users(100).merchants(20)
        .hotMerchantShare(0.5).fraudUserShare(0).build()).generate();
    double hot = g.payments().stream().filter(p -> p.merchantId().equals("m001")).count()
        / (double) g.payments().size();
    assertTrue(hot > 0.45 && hot < 0.55, "hot share " + hot);
    assertTrue(g.payments().stream().noneMatch(Payment::isFraud));
  }

  @Test
  void invalidConfigsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> PaymentsConfig.builder().days(0).build());
    assertThrows(IllegalArgumentException.class, () -> PaymentsConfig.builder().users(0).build());
    assertThrows(IllegalArgumentException.class, () -> PaymentsConfig.builder().merchants(0).build());
    assertThrows(IllegalArgumentException.class, () -> PaymentsConfig.builder().badRecordRate(-0.1).build());
    assertThrows(IllegalArgumentException.class, () -> PaymentsConfig.builder().hotMerchantShare(1.5).build());
    assertThrows(IllegalArgumentException.class, () -> PaymentsConfig.builder().start(null).build());
  }

  @Test
  void commandLine(@TempDir Path tmp) throws Exception {
    PaymentsGenerator.Arguments a = PaymentsGenerator.parseArgs(
        "--seed=7", "--start", "2025-12-30", "--days", "3", "--users", "10", "--merchants", "6",
        "--bad-record-rate", "0.01", "--out", tmp.toString());
    assertEquals(7, a.config().seed());
    assertEquals(LocalDate.of(2025, 12, 30), a.config().start());
    assertEquals(0.01, a.config().badRecordRate());
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    GeneratedData g = PaymentsGenerator.run(a, new PrintStream(log, true, StandardCharsets.UTF_8));
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("payments: " + g.payments().size() + " valid"));
    List<String> files;
    try (var walk = Files.walk(tmp)) {
      files = walk.filter(Files::isRegularFile).map(p -> tmp.relativize(p).toString().replace('\\', '/'))
          .sorted(Comparator.naturalOrder()).toList();
    }
    assertEquals(List.of("logins/2025-12-30.csv", "logins/2025-12-31.csv", "logins/2026-01-01.csv",
        "manifest.json", "payments/2025-12-30.jsonl", "payments/2025-12-31.jsonl",
        "payments/2026-01-01.jsonl", "spine.csv"), files);
    assertEquals(g.files().get("spine.csv"), Files.readString(tmp.resolve("spine.csv")));
    assertThrows(IllegalArgumentException.class, () -> PaymentsGenerator.parseArgs("--days", "2"));
    assertThrows(IllegalArgumentException.class, () -> PaymentsGenerator.parseArgs("--out", "x", "--bogus", "1"));
    assertThrows(IllegalArgumentException.class, () -> PaymentsGenerator.parseArgs("--out", "x", "--days", "two"));
  }
}
