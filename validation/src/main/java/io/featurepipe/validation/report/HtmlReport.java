package io.featurepipe.validation.report;

import io.featurepipe.validation.anomalies.AnomalyReasons;
import io.featurepipe.validation.anomalies.DistributionDistance;
import io.featurepipe.validation.columns.DatasetKind;
import io.featurepipe.validation.gate.GateDecision;
import io.featurepipe.validation.output.ValidationFiles;
import io.featurepipe.validation.output.ValidationLayout;
import io.featurepipe.validation.stats.FeatureStatisticsViews;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.metadata.v0.AnomalyInfo;
import org.tensorflow.metadata.v0.Anomalies;
import org.tensorflow.metadata.v0.CommonStatistics;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;
import org.tensorflow.metadata.v0.DriftSkewInfo;
import org.tensorflow.metadata.v0.FeatureNameStatistics;
import org.tensorflow.metadata.v0.Histogram;
import org.tensorflow.metadata.v0.NumericStatistics;
import org.tensorflow.metadata.v0.StringStatistics;

/**
 * The run's validation report: one self-contained HTML page (inline CSS and SVG, no script, no
 * network). At the top the gate's verdict and every anomaly, errors first; then per source and
 * group and dataset a table of features with presence, the main statistics, a histogram (or the
 * top values) with the baseline drawn beside it, and the drift and skew measurements against
 * their thresholds. Anomalous features are highlighted and linked from the top.
 *
 * <pre>{@code
 * HtmlReport.write("out/validation", "backfill 2026-01-01..2026-01-14", "baseline/validation", decision);
 * }</pre>
 */
public final class HtmlReport {
  private HtmlReport() {}

  /** Renders the page. */
  public static String render(String title, List<ReportSection> sections, GateDecision decision) {
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>").append(Html.esc(title)).append("</title><style>").append(CSS).append("</style></head><body>\n");
    h.append("<header><h1>").append(Html.esc(title)).append("</h1>");
    int errors = 0;
    int warnings = 0;
    for (ReportSection s : sections) {
      if (s.anomalies() != null) {
        for (AnomalyInfo info : allInfos(s.anomalies())) {
          if (info.getSeverity() == AnomalyInfo.Severity.WARNING) {
            warnings += info.getReasonCount();
          } else {
            errors += info.getReasonCount();
          }
        }
      }
    }
    h.append("<div class=\"badges\">");
    if (decision != null) {
      h.append("<span class=\"badge verdict-").append(decision.verdict().name().toLowerCase(java.util.Locale.ROOT))
          .append("\" id=\"verdict\">gate: ").append(decision.verdict()).append("</span>");
    }
    h.append("<span class=\"badge ").append(errors > 0 ? "error" : "ok").append("\">").append(errors).append(" errors</span>")
        .append("<span class=\"badge ").append(warnings > 0 ? "warning" : "ok").append("\">").append(warnings).append(" warnings</span>")
        .append("<span class=\"badge neutral\">").append(sections.size()).append(" datasets</span></div></header>\n");
    anomalies(h, sections, errors + warnings);
    h.append("<nav><b>Datasets</b> ");
    for (ReportSection s : sections) {
      h.append("<a href=\"#").append(anchor(s.label())).append("\">").append(Html.esc(s.label())).append("</a> ");
    }
    h.append("</nav>\n");
    for (ReportSection s : sections) {
      section(h, s);
    }
    h.append("<footer>featurepipe validation report · statistics in tensorflow_metadata format")
        .append(" (stats.pb, schema.pbtxt, anomalies.pbtxt beside this page)</footer></body></html>\n");
    return h.toString();
  }

  private static List<AnomalyInfo> allInfos(Anomalies a) {
    List<AnomalyInfo> out = new ArrayList<>(new TreeMap<>(a.getAnomalyInfoMap()).values());
    if (a.hasDatasetAnomalyInfo()) {
      out.add(a.getDatasetAnomalyInfo());
    }
    return out;
  }

  private static void anomalies(StringBuilder h, List<ReportSection> sections, int count) {
    h.append("<section class=\"anomalies\" data-anomaly-count=\"").append(count).append("\"><h2>Anomalies</h2>");
    if (count == 0) {
      h.append("<p class=\"allgood\">No anomalies: every dataset matches its schema, and drift and skew are within their thresholds.</p></section>\n");
      return;
    }
    h.append("<table><thead><tr><th>severity</th><th>dataset</th><th>feature</th><th>anomaly</th><th>measured</th><th>threshold</th><th>description</th></tr></thead><tbody>");
    for (boolean errorsFirst : new boolean[] {true, false}) {
      for (ReportSection s : sections) {
        if (s.anomalies() == null) {
          continue;
        }
        Map<String, AnomalyInfo> infos = new TreeMap<>(s.anomalies().getAnomalyInfoMap());
        if (s.anomalies().hasDatasetAnomalyInfo()) {
          infos.put("", s.anomalies().getDatasetAnomalyInfo());
        }
        for (Map.Entry<String, AnomalyInfo> e : infos.entrySet()) {
          boolean warning = e.getValue().getSeverity() == AnomalyInfo.Severity.WARNING;
          if (warning == errorsFirst) {
            continue;
          }
          for (AnomalyInfo.Reason r : e.getValue().getReasonList()) {
            Double measured = AnomalyReasons.measured(r);
            Double threshold = AnomalyReasons.threshold(r);
            String sev = warning ? "warning" : "error";
            h.append("<tr class=\"anomaly ").append(sev).append("\"><td><span class=\"pill ").append(sev).append("\">")
                .append(warning ? "WARNING" : "ERROR").append("</span></td><td>").append(Html.esc(s.label()))
                .append("</td><td>");
            if (e.getKey().isEmpty()) {
              h.append("<i>dataset</i>");
            } else {
              h.append("<a href=\"#").append(anchor(s.label() + "/" + e.getKey())).append("\">")
                  .append(Html.esc(e.getKey())).append("</a>");
            }
            h.append("</td><td><code>").append(Html.esc(r.getType().name())).append("</code><br>")
                .append(Html.esc(r.getShortDescription())).append("</td><td class=\"num\">")
                .append(measured == null ? "–" : Html.esc(AnomalyReasons.format(measured))).append("</td><td class=\"num\">")
                .append(threshold == null ? "–" : Html.esc(AnomalyReasons.format(threshold))).append("</td><td>")
                .append(Html.esc(r.getDescription())).append("</td></tr>");
          }
        }
      }
    }
    h.append("</tbody></table></section>\n");
  }

  private static void section(StringBuilder h, ReportSection s) {
    DatasetFeatureStatistics cur = s.current();
    DatasetFeatureStatistics base = s.baseline();
    h.append("<section class=\"dataset\" id=\"").append(anchor(s.label())).append("\"><h2>")
        .append(Html.esc(s.name())).append(" <span class=\"kind\">").append(Html.esc(kindText(s.kind()))).append("</span></h2>")
        .append("<p class=\"meta\">").append(cur.getNumExamples()).append(" examples");
    if (base != null) {
      h.append(" · baseline ").append(base.getNumExamples()).append(" examples (outlined in the charts)");
    }
    h.append("</p>");
    Map<String, FeatureNameStatistics> baseline = new HashMap<>();
    if (base != null) {
      base.getFeaturesList().forEach(f -> baseline.put(FeatureStatisticsViews.name(f), f));
    }
    Map<String, DriftSkewInfo> drift = new HashMap<>();
    Map<String, AnomalyInfo> anomalous = new HashMap<>();
    if (s.anomalies() != null) {
      s.anomalies().getDriftSkewInfoList().forEach(d -> drift.put(String.join(".", d.getPath().getStepList()), d));
      anomalous.putAll(s.anomalies().getAnomalyInfoMap());
    }
    h.append("<table class=\"features\"><thead><tr><th>feature</th><th>present</th><th>statistics</th>")
        .append("<th>distribution</th><th>drift / skew</th></tr></thead><tbody>");
    for (FeatureNameStatistics f : cur.getFeaturesList()) {
      String name = FeatureStatisticsViews.name(f);
      AnomalyInfo info = anomalous.get(name);
      String cls = info == null ? "" : info.getSeverity() == AnomalyInfo.Severity.WARNING ? " class=\"flag-warning\"" : " class=\"flag-error\"";
      h.append("<tr").append(cls).append(" id=\"").append(anchor(s.label() + "/" + name)).append("\"><td><b>")
          .append(Html.esc(name)).append("</b><br><span class=\"muted\">").append(f.getType()).append("</span>");
      if (info != null) {
        h.append("<br><span class=\"pill ").append(info.getSeverity() == AnomalyInfo.Severity.WARNING ? "warning" : "error")
            .append("\">").append(Html.esc(info.getShortDescription())).append("</span>");
      }
      h.append("</td>");
      presence(h, f, cur.getNumExamples());
      FeatureNameStatistics b = baseline.get(name);
      if (f.hasNumStats()) {
        numeric(h, f.getNumStats(), b != null && b.hasNumStats() ? b.getNumStats() : null);
      } else if (f.hasStringStats()) {
        strings(h, f.getStringStats(), b != null && b.hasStringStats() ? b.getStringStats() : null);
      } else {
        h.append("<td></td><td></td>");
      }
      h.append("<td>").append(drift(drift.get(name))).append("</td></tr>");
    }
    h.append("</tbody></table></section>\n");
  }

  private static void presence(StringBuilder h, FeatureNameStatistics f, long examples) {
    CommonStatistics c = FeatureStatisticsViews.common(f);
    double share = examples == 0 ? 0 : (double) c.getNumNonMissing() / examples;
    h.append("<td class=\"num\">").append(Html.pct(share))
        .append("<div class=\"meter\"><div style=\"width:").append(String.format(java.util.Locale.ROOT, "%.1f", share * 100))
        .append("%\"></div></div><span class=\"muted\">").append(c.getNumMissing()).append(" missing</span></td>");
  }

  private static void numeric(StringBuilder h, NumericStatistics n, NumericStatistics base) {
    long present = n.getCommonStats().getNumNonMissing();
    h.append("<td><dl class=\"stats\">")
        .append(stat("mean", Html.num(n.getMean()))).append(stat("std dev", Html.num(n.getStdDev())))
        .append(stat("min", Html.num(n.getMin()))).append(stat("median", Html.num(n.getMedian())))
        .append(stat("max", Html.num(n.getMax())))
        .append(stat("zeros", present == 0 ? "–" : Html.pct((double) n.getNumZeros() / Math.max(1, n.getCommonStats().getTotNumValues()))));
    Histogram standard = histogram(n, Histogram.HistogramType.STANDARD);
    if (standard != null && standard.getNumNan() > 0) {
      h.append(stat("NaN", String.valueOf(standard.getNumNan())));
    }
    if (base != null) {
      h.append(stat("baseline mean", Html.num(base.getMean())));
    }
    h.append("</dl></td><td>");
    h.append(standard == null ? "<span class=\"muted\">no values</span>"
        : Charts.histogram(standard, base == null ? null : histogram(base, Histogram.HistogramType.STANDARD)));
    h.append("</td>");
  }

  private static void strings(StringBuilder h, StringStatistics s, StringStatistics base) {
    h.append("<td><dl class=\"stats\">").append(stat("unique", String.valueOf(s.getUnique())))
        .append(stat("avg length", Html.num(s.getAvgLength())));
    if (s.getTopValuesCount() > 0) {
      h.append(stat("top", Html.esc(s.getTopValues(0).getValue())));
    }
    if (base != null) {
      h.append(stat("baseline unique", String.valueOf(base.getUnique())));
    }
    h.append("</dl></td><td>");
    Map<String, Double> shares = null;
    if (base != null) {
      Map<String, Double> counts = DistributionDistance.counts(base.getRankHistogram());
      double total = counts.values().stream().mapToDouble(Double::doubleValue).sum();
      shares = new HashMap<>();
      for (Map.Entry<String, Double> e : counts.entrySet()) {
        shares.put(e.getKey(), total == 0 ? 0 : e.getValue() / total);
      }
    }
    h.append(Charts.topValues(s.getRankHistogram(), shares, 8)).append("</td>");
  }

  private static String drift(DriftSkewInfo d) {
    if (d == null) {
      return "<span class=\"muted\">–</span>";
    }
    StringBuilder b = new StringBuilder("<div class=\"drift\">");
    for (DriftSkewInfo.Measurement m : d.getDriftMeasurementsList()) {
      b.append(measurement("drift", m));
    }
    for (DriftSkewInfo.Measurement m : d.getSkewMeasurementsList()) {
      b.append(measurement("skew", m));
    }
    return b.append("</div>").toString();
  }

  private static String measurement(String what, DriftSkewInfo.Measurement m) {
    boolean high = m.getValue() > m.getThreshold();
    String type = switch (m.getType()) {
      case L_INFTY -> "L∞";
      case JENSEN_SHANNON_DIVERGENCE -> "JSD";
      case NORMALIZED_ABSOLUTE_DIFFERENCE -> "NAD";
      default -> "?";
    };
    return "<div class=\"measure " + (high ? "high" : "fine") + "\">" + what + " " + type + " <b>"
        + Html.esc(AnomalyReasons.format(m.getValue())) + "</b> / " + Html.esc(AnomalyReasons.format(m.getThreshold())) + "</div>";
  }

  private static String stat(String name, String value) {
    return "<dt>" + name + "</dt><dd>" + value + "</dd>";
  }

  private static Histogram histogram(NumericStatistics n, Histogram.HistogramType type) {
    for (Histogram h : n.getHistogramsList()) {
      if (h.getType() == type) {
        return h;
      }
    }
    return null;
  }

  private static String kindText(DatasetKind kind) {
    return switch (kind) {
      case SOURCE -> "source records";
      case GROUP_INPUT -> "group input (filtered records, derived columns)";
      case GROUP_FEATURES -> "feature rows";
    };
  }

  private static String anchor(String s) {
    return "d-" + s.replaceAll("[^A-Za-z0-9_-]", "-");
  }

  /**
   * Reads every dataset under an output root ({@link ValidationLayout}, bounded runs) and, when a
   * baseline root is given, the baseline's statistics of the same datasets.
   */
  public static List<ReportSection> readSections(String root, String baselineRoot) throws IOException {
    List<ReportSection> out = new ArrayList<>();
    for (String stats : ValidationFiles.match(ValidationLayout.join(root, "*/*/" + ValidationLayout.STATS))) {
      String dir = stats.substring(0, stats.length() - ValidationLayout.STATS.length() - 1);
      String folder = dir.substring(dir.lastIndexOf('/') + 1);
      String parent = dir.substring(0, dir.lastIndexOf('/'));
      String name = parent.substring(parent.lastIndexOf('/') + 1);
      DatasetKind kind = null;
      for (DatasetKind k : DatasetKind.values()) {
        if (k.folder().equals(folder)) {
          kind = k;
        }
      }
      if (kind == null) {
        continue;
      }
      DatasetFeatureStatistics current = ValidationFiles.readStatistics(stats).getDatasets(0);
      String anomaliesPath = ValidationLayout.join(dir, ValidationLayout.ANOMALIES);
      Anomalies anomalies = ValidationFiles.exists(anomaliesPath) ? ValidationFiles.readAnomalies(anomaliesPath) : null;
      DatasetFeatureStatistics baseline = null;
      if (baselineRoot != null) {
        String b = ValidationLayout.join(ValidationLayout.directory(baselineRoot, name, kind), ValidationLayout.STATS);
        if (ValidationFiles.exists(b)) {
          baseline = ValidationFiles.readStatistics(b).getDatasets(0);
        }
      }
      out.add(new ReportSection(name, kind, current, baseline, anomalies));
    }
    return out;
  }

  /** Renders the datasets under {@code root} into {@code <root>/report.html}; returns its path. */
  public static String write(String root, String title, String baselineRoot, GateDecision decision) throws IOException {
    String path = ValidationLayout.join(root, ValidationLayout.REPORT);
    ValidationFiles.writeText(path, render(title, readSections(root, baselineRoot), decision));
    return path;
  }

  private static final String CSS =
      """
      :root{--err:#c62828;--errbg:#fdecea;--warn:#b26a00;--warnbg:#fff4e5;--ok:#2e7d32;--okbg:#edf7ed;--ink:#1f2933;--muted:#6b7785;--line:#e3e8ee;--bar:#3f6fd8;}
      *{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--ink);margin:0;background:#f6f8fa}
      header{background:#1f2933;color:#fff;padding:18px 28px}header h1{margin:0 0 8px;font-size:20px;font-weight:600}
      .badges{display:flex;gap:8px;flex-wrap:wrap}.badge{padding:3px 10px;border-radius:12px;font-size:12px;font-weight:600;background:#3a4754}
      .badge.error,.verdict-block{background:var(--err)}.badge.warning,.verdict-warn{background:var(--warn)}.badge.ok,.verdict-pass{background:var(--ok)}
      section{background:#fff;margin:18px 28px;padding:16px 20px;border:1px solid var(--line);border-radius:8px}
      h2{font-size:17px;margin:0 0 6px}.kind{font-weight:400;color:var(--muted);font-size:13px}.meta{color:var(--muted);margin:0 0 10px}
      section.anomalies{border-left:5px solid var(--err)}section.anomalies .allgood{color:var(--ok);font-weight:600}
      nav{margin:0 28px;font-size:13px}nav a{margin-right:10px;color:var(--bar)}
      table{border-collapse:collapse;width:100%}th{text-align:left;font-size:12px;color:var(--muted);font-weight:600;border-bottom:2px solid var(--line);padding:6px 8px}
      td{border-bottom:1px solid var(--line);padding:8px;vertical-align:top}td.num{text-align:right;white-space:nowrap}
      tr.anomaly.error td{background:var(--errbg)}tr.anomaly.warning td{background:var(--warnbg)}
      tr.flag-error td:first-child{border-left:4px solid var(--err)}tr.flag-warning td:first-child{border-left:4px solid var(--warn)}
      .pill{display:inline-block;padding:1px 7px;border-radius:10px;font-size:11px;font-weight:700;color:#fff}.pill.error{background:var(--err)}.pill.warning{background:var(--warn)}
      .muted{color:var(--muted);font-size:12px}code{font-size:12px}
      .meter{height:5px;background:var(--line);border-radius:3px;margin:3px 0;width:80px;margin-left:auto}.meter div{height:5px;background:var(--ok);border-radius:3px}
      dl.stats{display:grid;grid-template-columns:auto auto;gap:0 10px;margin:0;font-size:12px}dt{color:var(--muted)}dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
      svg .bar{fill:var(--bar);opacity:.85}svg .base{fill:none;stroke:#8a96a3;stroke-width:1;stroke-dasharray:2 1}svg .axis{stroke:#8a96a3}
      svg .tick{font-size:9px;fill:var(--muted)}svg .label{font-size:10px;fill:var(--ink)}svg .basetick{stroke:#1f2933;stroke-width:2}
      .measure{font-size:12px;padding:2px 6px;border-radius:4px;margin-bottom:3px;white-space:nowrap}.measure.high{background:var(--errbg);color:var(--err)}.measure.fine{background:var(--okbg);color:var(--ok)}
      footer{color:var(--muted);font-size:12px;margin:10px 28px 30px}
      """;
}
