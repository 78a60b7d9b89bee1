package io.featurepipe.testdata;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * How events are written. Everything is formatted by hand (no {@link Double#toString}, no locale),
 * so the bytes do not depend on the JDK version or the machine.
 */
final class Formats {
  private Formats() {}

  static final String LOGIN_HEADER = "event_time,user_id,device_id,ip_country,success";
  static final String SPINE_HEADER = "user_id,merchant_id,event_time,is_fraud";

  /** {@code 2026-01-05T13:04:05.123456Z}: always six fraction digits. */
  static String isoMicros(Instant t) {
    LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
    StringBuilder b = new StringBuilder(27);
    pad(b, d.getYear(), 4).append('-');
    pad(b, d.getMonthValue(), 2).append('-');
    pad(b, d.getDayOfMonth(), 2).append('T');
    pad(b, d.getHour(), 2).append(':');
    pad(b, d.getMinute(), 2).append(':');
    pad(b, d.getSecond(), 2).append('.');
    pad(b, t.getNano() / 1000, 6).append('Z');
    return b.toString();
  }

  static StringBuilder pad(StringBuilder b, long v, int width) {
    String s = Long.toString(v);
    for (int i = s.length(); i < width; i++) {
      b.append('0');
    }
    return b.append(s);
  }

  /** An amount in cents as a decimal with two digits, e.g. {@code 1234 -> 12.34}. */
  static String decimal(long cents, char separator) {
    StringBuilder b = new StringBuilder();
    if (cents < 0) {
      b.append('-');
      cents = -cents;
    }
    b.append(cents / 100).append(separator);
    return pad(b, cents % 100, 2).toString();
  }

  static long cents(double amount) {
    return Math.round(amount * 100.0);
  }

  static String jsonString(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            String hex = Integer.toHexString(c);
            b.append("\\u");
            for (int k = hex.length(); k < 4; k++) {
              b.append('0');
            }
            b.append(hex);
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  static String paymentJson(Payment p) {
    return paymentJson(
        p,
        jsonString(Formats.isoMicros(p.eventTime())),
        jsonString(p.userId()),
        p.amount() == null ? "null" : decimal(cents(p.amount()), '.'));
  }

  /** The JSON line with some values replaced by raw JSON text (for malformed lines). */
  static String paymentJson(Payment p, String eventTimeJson, String userIdJson, String amountJson) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"txn_id\":").append(jsonString(p.txnId()));
    if (eventTimeJson != null) {
      b.append(",\"event_time\":").append(eventTimeJson);
    }
    b.append(",\"user_id\":").append(userIdJson);
    b.append(",\"card_id\":").append(jsonString(p.cardId()));
    b.append(",\"merchant_id\":").append(jsonString(p.merchantId()));
    b.append(",\"merchant_category\":").append(jsonString(p.merchantCategory()));
    b.append(",\"amount\":").append(amountJson);
    b.append(",\"currency\":").append(jsonString(p.currency()));
    b.append(",\"country\":").append(jsonString(p.country()));
    b.append(",\"channel\":").append(jsonString(p.channel()));
    b.append(",\"is_fraud\":").append(p.isFraud());
    return b.append('}').toString();
  }

  static String loginCsv(Login l) {
    return loginCsv(l, Long.toString(l.eventTime().toEpochMilli()));
  }

  static String loginCsv(Login l, String eventTimeText) {
    return eventTimeText + "," + l.userId() + "," + l.deviceId() + "," + l.ipCountry() + "," + l.success();
  }

  /** Epoch microseconds to an {@link Instant}. */
  static Instant micros(long epochMicros) {
    return Instant.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000L), Math.floorMod(epochMicros, 1_000_000L) * 1000L);
  }

  /** {@code %.6f} without locale or JDK-dependent shortest-repr printing, trailing zeros trimmed. */
  static String plain(double v) {
    long micros = Math.round(v * 1_000_000.0);
    StringBuilder b = new StringBuilder();
    if (micros < 0) {
      b.append('-');
      micros = -micros;
    }
    b.append(micros / 1_000_000L);
    long frac = micros % 1_000_000L;
    if (frac != 0) {
      b.append('.');
      String f = pad(new StringBuilder(), frac, 6).toString();
      int end = f.length();
      while (f.charAt(end - 1) == '0') {
        end--;
      }
      b.append(f, 0, end);
    }
    return b.toString();
  }
}
