package io.featurepipe.validation.report;

import io.featurepipe.validation.anomalies.AnomalyReasons;
import java.util.Locale;

/** Escaping and number formatting for the report. */
final class Html {
  private Html() {}

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** Up to 4 significant digits, thousands as k/M/G for large magnitudes. */
  static String num(double v) {
    if (!Double.isFinite(v)) {
      return Double.isNaN(v) ? "NaN" : (v > 0 ? "+∞" : "−∞");
    }
    double a = Math.abs(v);
    if (a >= 1e12) {
      return String.format(Locale.ROOT, "%.3e", v).replace("e+", "e");
    }
    if (a >= 1e9) {
      return String.format(Locale.ROOT, "%.3gG", v / 1e9);
    }
    if (a >= 1e6) {
      return String.format(Locale.ROOT, "%.3gM", v / 1e6);
    }
    if (a >= 1e4) {
      return String.format(Locale.ROOT, "%.3gk", v / 1e3);
    }
    return AnomalyReasons.format(Double.parseDouble(String.format(Locale.ROOT, "%.4g", v)));
  }

  static String pct(double fraction) {
    return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
  }
}
