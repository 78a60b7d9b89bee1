package io.featurepipe.transforms.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@code iso8601} reads the canonical UTC form without java.time's parser, to the same nanosecond. */
class TimestampParserTest {
  private static final TimestampParser ISO = new TimestampParser("iso8601");

  private static long javaTime(String text) {
    Instant i = Instant.parse(text);
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
  }

  @Test
  void canonicalUtcTextGivesTheInstantJavaTimeGives() throws Exception {
    Random rnd = new Random(11);
    long from = Instant.parse("1900-01-01T00:00:00Z").getEpochSecond();
    long to = Instant.parse("2201-01-01T00:00:00Z").getEpochSecond();
    for (int i = 0; i < 100_000; i++) {
      long second = from + (long) (rnd.nextDouble() * (to - from));
      int digits = rnd.nextInt(10);
      int nano = digits == 0 ? 0 : rnd.nextInt(1_000_000_000);
      String fraction = digits == 0 ? "" : "." + String.format("%09d", nano).substring(0, digits);
      String text = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC)
          .format(Instant.ofEpochSecond(second)) + fraction + "Z";
      assertEquals(javaTime(text), ISO.parse(text), text);
      assertEquals(javaTime(text), TimestampParser.canonicalUtcNanos(text), text);
    }
    for (String edge : new String[] {
        "1900-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z", "1970-01-01T00:00:00Z", "2024-02-29T12:00:00.5Z",
        "2200-12-31T23:59:59.000000001Z", "2026-01-01T00:00:00.000000Z"}) {
      assertEquals(javaTime(edge), TimestampParser.canonicalUtcNanos(edge), edge);
    }
  }

  @Test
  void otherFormsAreReadTheLongWayAsBefore() throws Exception {
    for (String other : new String[] {
        "2026-01-01t00:00:00Z", "2026-01-01T00:00:00z", "2026-01-01T00:00:00+02:00", "2026-01-01T00:00:00",
        "1899-12-31T23:59:59Z", "2201-01-01T00:00:00Z", "2026-01-01T00:00:00.1234567891Z",
        "2026-01-01T24:00:00Z", "2026-06-30T23:59:60Z", "2026-01-01T00:00:00.Z"}) {
      assertEquals(TimestampParser.NOT_CANONICAL, TimestampParser.canonicalUtcNanos(other), other);
    }
    assertEquals(javaTime("2026-01-01T00:00:00Z"), ISO.parse("2026-01-01t00:00:00z"));
    assertEquals(javaTime("2025-12-31T22:00:00Z"), ISO.parse("2026-01-01T00:00:00+02:00"));
    assertEquals(javaTime("2026-01-01T00:00:00Z"), ISO.parse(" 2026-01-01T00:00:00 "));
    assertEquals(javaTime("1899-12-31T23:59:59Z"), ISO.parse("1899-12-31T23:59:59Z"));
    assertEquals(javaTime("2026-01-02T00:00:00Z"), ISO.parse("2026-01-01T24:00:00Z"), "java.time's end of day");
    assertEquals(javaTime("2026-06-30T23:59:59Z"), ISO.parse("2026-06-30T23:59:60Z"), "java.time's leap second");
    assertEquals(javaTime("2026-01-01T00:00:00Z"), ISO.parse("2026-01-01T00:00:00.Z"), "java.time's empty fraction");
  }

  @Test
  void textOutOfRangeIsRefusedAsBefore() {
    for (String bad : new String[] {
        "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-01-01T10:60:00Z", "2026-01-01T10:00:61Z",
        "2026-0a-01T00:00:00Z", "2026-01-01T00:00:00.12x4Z", "20260101T000000Z", ""}) {
      assertEquals(TimestampParser.NOT_CANONICAL, TimestampParser.canonicalUtcNanos(bad), bad);
      assertThrows(BadRecordException.class, () -> ISO.parse(bad), bad);
    }
  }
}
