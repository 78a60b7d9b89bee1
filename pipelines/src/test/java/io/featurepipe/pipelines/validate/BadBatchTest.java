package io.featurepipe.pipelines.validate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BadBatch}: the same bytes on every run, only the chosen days' payments changed, with the
 * promised share of out-of-range amounts, nulls and the new currency; malformed lines kept.
 */
class BadBatchTest {
  static final Path SAMPLE = Path.of("../test-data/sample");
  static final LocalDate DAY = LocalDate.of(2026, 1, 13);

  @Test
  void corruptsTheChosenDaysDeterministically(@TempDir Path dir) throws Exception {
    List<Path> a = BadBatch.write(SAMPLE, dir.resolve("a"), List.of(DAY));
    List<Path> b = BadBatch.write(SAMPLE, dir.resolve("b"), List.of(DAY));
    assertEquals(List.of(dir.resolve("a/payments/" + DAY + ".jsonl")), a);
    assertArrayEquals(Files.readAllBytes(a.get(0)), Files.readAllBytes(b.get(0)));
    String other = "payments/" + DAY.minusDays(1) + ".jsonl";
    assertArrayEquals(Files.readAllBytes(SAMPLE.resolve(other)), Files.readAllBytes(dir.resolve("a").resolve(other)));
    String logins = "logins/" + DAY + ".csv";
    assertArrayEquals(Files.readAllBytes(SAMPLE.resolve(logins)), Files.readAllBytes(dir.resolve("a").resolve(logins)));

    List<String> original = Files.readAllLines(SAMPLE.resolve("payments/" + DAY + ".jsonl"));
    List<String> bad = Files.readAllLines(a.get(0));
    assertEquals(original.size(), bad.size());
    ObjectMapper json = new ObjectMapper();
    int payments = 0, huge = 0, noCategory = 0, noChannel = 0, xxx = 0;
    for (int i = 0; i < bad.size(); i++) {
      JsonNode p;
      try {
        p = json.readTree(bad.get(i));
      } catch (Exception e) {
        assertEquals(original.get(i), bad.get(i), "a malformed line stays as it is");

        continue;
      }
      payments++;
      huge += p.path("amount").asDouble() == 250000 ? 1 : 0;
      noCategory += p.path("merchant_category").isNull() ? 1 : 0;
      noChannel += p.path("channel").isNull() ? 1 : 0;
      xxx += p.path("currency").asText().equals("XXX") ? 1 : 0;
    }
    assertTrue(payments > 1000, payments + " payments");
    assertEquals(payments / 40, huge);
    assertTrue(noCategory >= payments / 8 && noChannel >= payments / 12, noCategory + " " + noChannel);
    assertTrue(Math.abs(xxx - 0.4 * payments) <= 2, xxx + " of " + payments);
  }

  @Test
  void aDayWithoutPaymentsIsAnError(@TempDir Path dir) {
    assertThrows(IllegalArgumentException.class, () -> BadBatch.write(SAMPLE, dir, List.of(LocalDate.of(2030, 1, 1))));
  }

  @Test
  void linesIngestionRefusesStayAsTheyAre() throws Exception {
    List<String> lines = List.of(
        "{\"amount\": 10.0}{\"amount\": 20.0}", // two objects on one line: a dead letter when read
        "{\"amount\": 10.0} x",
        "[1, 2]",
        "{\"amount\": 10.0",
        "{\"amount\": 10.0}");
    List<String> out = BadBatch.corrupt(lines);
    assertEquals(lines.subList(0, 4), out.subList(0, 4));
    assertEquals("{\"amount\":30.0,\"currency\":\"XXX\"}", out.get(4));
  }
}
