package io.featurepipe.validation.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.metadata.v0.Histogram;
import org.tensorflow.metadata.v0.RankHistogram;

/**
 * Inline SVG charts: a numeric histogram (density per bucket, the baseline drawn as an outline on
 * the same axis) and a bar chart of the most frequent values (the baseline's share as a tick).
 */
final class Charts {
  static final int WIDTH = 260;
  static final int HEIGHT = 70;

  private Charts() {}

  private record Bar(double lo, double hi, double share) {}

  /** The finite, non-point buckets as shares of the histogram's total. */
  private static List<Bar> bars(Histogram h) {
    double total = 0;
    for (Histogram.Bucket b : h.getBucketsList()) {
      total += b.getSampleCount();
    }
    List<Bar> out = new ArrayList<>();
    if (total <= 0) {
      return out;
    }
    for (Histogram.Bucket b : h.getBucketsList()) {
      if (Double.isFinite(b.getLowValue()) && Double.isFinite(b.getHighValue())) {
        out.add(new Bar(b.getLowValue(), b.getHighValue(), b.getSampleCount() / total));
      }
    }
    return out;
  }

  static String histogram(Histogram current, Histogram baseline) {
    List<Bar> cur = bars(current);
    List<Bar> base = baseline == null ? List.of() : bars(baseline);
    if (cur.isEmpty()) {
      return "<span class=\"muted\">no finite values</span>";
    }
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (List<Bar> list : List.of(cur, base)) {
      for (Bar b : list) {
        lo = Math.min(lo, b.lo());
        hi = Math.max(hi, b.hi());
      }
    }
    if (hi <= lo) {
      hi = lo + 1;
      lo = lo - 1;
    }
    double span = hi - lo;
    double maxDensity = 0;
    for (List<Bar> list : List.of(cur, base)) {
      for (Bar b : list) {
        maxDensity = Math.max(maxDensity, density(b, span));
      }
    }
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg class=\"histogram\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">",
        WIDTH, HEIGHT + 14, WIDTH, HEIGHT + 14));
    for (Bar b : cur) {
      rect(svg, b, lo, span, maxDensity, "bar");
    }
    for (Bar b : base) {
      rect(svg, b, lo, span, maxDensity, "base");
    }
    svg.append(String.format(Locale.ROOT,
        "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", HEIGHT, WIDTH, HEIGHT));
    svg.append(String.format(Locale.ROOT,
        "<text x=\"0\" y=\"%d\" class=\"tick\">%s</text><text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">%s</text>",
        HEIGHT + 12, Html.esc(Html.num(lo)), WIDTH, HEIGHT + 12, Html.esc(Html.num(hi))));
    svg.append("</svg>");
    return svg.toString();
  }

  private static double density(Bar b, double span) {
    double width = Math.max(b.hi() - b.lo(), span / 200);
    return b.share() / width;
  }

  private static void rect(StringBuilder svg, Bar b, double lo, double span, double maxDensity, String cls) {
    double x = (b.lo() - lo) / span * WIDTH;
    double w = Math.max(1.0, (b.hi() - b.lo()) / span * WIDTH);
    double h = maxDensity <= 0 ? 0 : density(b, span) / maxDensity * (HEIGHT - 4);
    svg.append(String.format(Locale.ROOT,
        "<rect class=\"%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"><title>%s – %s: %s</title></rect>",
        cls, x, HEIGHT - h, w, h, Html.esc(Html.num(b.lo())), Html.esc(Html.num(b.hi())), Html.pct(b.share())));
  }

  /** Horizontal bars of the top values with their share, and the baseline's share as a tick. */
  static String topValues(RankHistogram current, Map<String, Double> baselineShares, int limit) {
    double total = 0;
    for (RankHistogram.Bucket b : current.getBucketsList()) {
      total += b.getSampleCount();
    }
    int n = Math.min(limit, current.getBucketsCount());
    if (n == 0 || total <= 0) {
      return "<span class=\"muted\">no values</span>";
    }
    int row = 14;
    int labelWidth = 96;
    int barWidth = WIDTH - labelWidth - 44;
    double max = 0;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, current.getBuckets(i).getSampleCount() / total);
      if (baselineShares != null) {
        max = Math.max(max, baselineShares.getOrDefault(current.getBuckets(i).getLabel(), 0.0));
      }
    }
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg class=\"topvalues\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">", WIDTH, n * row + 2, WIDTH, n * row + 2));
    for (int i = 0; i < n; i++) {
      RankHistogram.Bucket b = current.getBuckets(i);
      double share = b.getSampleCount() / total;
      int y = i * row;
      String label = b.getLabel().length() > 14 ? b.getLabel().substring(0, 13) + "…" : b.getLabel();
      svg.append(String.format(Locale.ROOT,
          "<text x=\"%d\" y=\"%d\" class=\"label\" text-anchor=\"end\">%s</text>", labelWidth - 4, y + 11, Html.esc(label)));
      svg.append(String.format(Locale.ROOT,
          "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.2f\" height=\"%d\"><title>%s: %s</title></rect>",
          labelWidth, y + 2, Math.max(1.0, share / max * barWidth), row - 4, Html.esc(b.getLabel()), Html.pct(share)));
      if (baselineShares != null) {
        double base = baselineShares.getOrDefault(b.getLabel(), 0.0);
        svg.append(String.format(Locale.ROOT,
            "<line class=\"basetick\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>",
            labelWidth + base / max * barWidth, y, labelWidth + base / max * barWidth, y + row - 1));
      }
      svg.append(String.format(Locale.ROOT,
          "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">%s</text>", WIDTH, y + 11, Html.pct(share)));
    }
    svg.append("</svg>");
    return svg.toString();
  }
}
