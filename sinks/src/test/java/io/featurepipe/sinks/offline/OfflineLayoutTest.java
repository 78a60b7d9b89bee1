package io.featurepipe.sinks.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A window end's partition date is its UTC date: midnight opens the new date, before 1970 too. */
class OfflineLayoutTest {
  private static LocalDate utcDate(long millis) {
    return Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC).toLocalDate();
  }

  @Test
  void aWindowEndsPartitionIsItsUtcDate() {
    long midnight = OfflineLayout.startOf(LocalDate.of(2026, 1, 14));
    assertEquals(LocalDate.of(2026, 1, 14), OfflineLayout.dateOf(midnight));
    assertEquals(LocalDate.of(2026, 1, 13), OfflineLayout.dateOf(midnight - 1));
    assertEquals(LocalDate.of(1969, 12, 31), OfflineLayout.dateOf(-1));
    assertEquals(LocalDate.of(1970, 1, 1), OfflineLayout.dateOf(0));
    Random rnd = new Random(3);
    for (int i = 0; i < 100_000; i++) {
      long millis = rnd.nextLong() % 10_000_000_000_000L; // about 1653 to 2286
      assertEquals(utcDate(millis), OfflineLayout.dateOf(millis), "at " + millis);
    }
  }
}
