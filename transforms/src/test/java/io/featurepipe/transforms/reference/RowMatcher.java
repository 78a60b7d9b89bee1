package io.featurepipe.transforms.reference;

import io.featurepipe.transforms.model.AggregationKind;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.reference.ReferenceFeatures.ExpectedRow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares pipeline rows with reference rows: the full set of identities (group, key, window end),
 * the empty flag, and every value: exact aggregations bit for bit, {@code approx_count_distinct}
 * exactly below 1024 distinct values and within 3/sqrt(1022) relative above, {@code
 * approx_quantile} within 1% relative of the exact rank value. {@link #check} returns a report of
 * every difference (empty when all match).
 */
public final class RowMatcher {
  /** Relative error allowed for approx_count_distinct at and above 1024 distinct values. */
  static final double DISTINCT_ERROR = 3 / Math.sqrt(1022);
  /** Relative error of approx_quantile (1%), plus a hair for the representative's rounding. */
  static final double QUANTILE_ERROR = 0.01 * (1 + 1e-9);
  static final int EXACT_DISTINCT_BELOW = 1024;
  private static final int SHOW = 15;

  private RowMatcher() {}

  /** Every difference between {@code actual} and {@code expected}, or "" when there is none. */
  public static String check(
      FeatureRepository repository, Collection<FeatureRow> actual, Collection<ExpectedRow> expected) {
    Map<String, FeatureRow> got = new TreeMap<>();
    List<String> duplicates = new ArrayList<>();
    List<String> restated = new ArrayList<>();
    for (FeatureRow r : actual) {
      if (got.put(r.identity(), r) != null) {
        duplicates.add(r.identity());
      }
      if (r.restated()) {
        restated.add(r.identity());
      }
    }
    Map<String, ExpectedRow> want = new TreeMap<>();
    for (ExpectedRow r : expected) {
      if (want.put(r.identity(), r) != null) {
        throw new IllegalStateException("reference produced " + r.identity() + " twice");
      }
    }
    List<String> missing = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    List<String> wrongFlag = new ArrayList<>();
    Map<String, List<String>> wrongValues = new LinkedHashMap<>();
    int wrongValueCount = 0;
    for (ExpectedRow w : want.values()) {
      FeatureRow g = got.get(w.identity());
      if (g == null) {
        missing.add(w.toString());
        continue;
      }
      if (g.empty() != w.empty()) {
        wrongFlag.add(w.identity() + " expected empty=" + w.empty() + ", got " + g.empty());
      }
      List<FeatureDef> features = repository.group(w.group()).features();
      if (g.values().length != features.size()) {
        wrongFlag.add(w.identity() + " has " + g.values().length + " values, not " + features.size());
        continue;
      }
      for (int f = 0; f < features.size(); f++) {
        String problem = compare(features.get(f), w.values()[f], g.values()[f]);
        if (problem != null) {
          wrongValueCount++;
          wrongValues
              .computeIfAbsent(w.group() + "." + features.get(f).name(), k -> new ArrayList<>())
              .add(w.identity() + ": " + problem);
        }
      }
    }
    for (FeatureRow g : got.values()) {
      if (!want.containsKey(g.identity())) {
        extra.add(g.identity() + (g.empty() ? " empty " : " ") + Arrays.deepToString(g.values()));
      }
    }
    StringBuilder out = new StringBuilder();
    section(out, "missing rows (expected, not produced)", missing);
    section(out, "extra rows (produced, not expected)", extra);
    section(out, "duplicate rows", duplicates);
    section(out, "restated rows in a bounded run", restated);
    section(out, "wrong empty flag / value count", wrongFlag);
    section(out, "wrong online writes (DESIGN §3)", onlineWrites(repository, got.values()));
    if (!wrongValues.isEmpty()) {
      out.append(wrongValueCount)
          .append(" wrong values in ")
          .append(wrongValues.size())
          .append(" features:\n");
      for (Map.Entry<String, List<String>> e : wrongValues.entrySet()) {
        out.append("  ").append(e.getKey()).append(" (").append(e.getValue().size()).append(" rows)\n");
        for (String s : e.getValue().subList(0, Math.min(5, e.getValue().size()))) {
          out.append("    ").append(s).append('\n');
        }
      }
    }
    if (out.length() > 0) {
      out.insert(
          0,
          "pipeline rows differ from the reference ("
              + actual.size()
              + " produced, "
              + expected.size()
              + " expected):\n");
    }
    return out.toString();
  }

  /**
   * DESIGN §3, online store: per key and feature a cell at every window end where the value changed
   * (from the key's previous row, or from the empty values before the first row), explicit empties
   * included, and again once a value has been unchanged for a whole longest window since its last
   * cell. Checked on the produced rows of each key in window-end order (a bounded run: no
   * restatements), so approximate values are judged by what the pipeline produced.
   */
  static List<String> onlineWrites(FeatureRepository repository, Collection<FeatureRow> rows) {
    Map<String, List<FeatureRow>> byKey = new TreeMap<>();
    for (FeatureRow r : rows) {
      byKey.computeIfAbsent(r.group() + "|" + r.key(), k -> new ArrayList<>()).add(r);
    }
    List<String> problems = new ArrayList<>();
    for (List<FeatureRow> keyRows : byKey.values()) {
      keyRows.sort(java.util.Comparator.comparingLong(FeatureRow::windowEndMillis));
      var group = repository.group(keyRows.get(0).group());
      long longest = 0;
      for (FeatureDef f : group.features()) {
        longest = Math.max(longest, ReferenceFeatures.windowMillis(group, f));
      }
      Object[] previous = ReferenceFeatures.emptyValues(group);
      long[] lastWrite = new long[previous.length];
      Arrays.fill(lastWrite, Long.MIN_VALUE);
      for (FeatureRow r : keyRows) {
        java.util.BitSet want = new java.util.BitSet();
        for (int f = 0; f < previous.length && f < r.values().length; f++) {
          boolean changed = !RefMath.same(previous[f], r.values()[f]);
          boolean stale = lastWrite[f] != Long.MIN_VALUE && r.windowEndMillis() - lastWrite[f] >= longest;
          if (changed || stale) {
            want.set(f);
            lastWrite[f] = r.windowEndMillis();
          }
        }
        if (!want.equals(r.onlineWrites())) {
          problems.add(r.identity() + ": expected writes " + want + ", got " + r.onlineWrites());
        }
        previous = r.values();
      }
    }
    return problems;
  }

  private static void section(StringBuilder out, String title, List<String> items) {
    if (items.isEmpty()) {
      return;
    }
    out.append(items.size()).append(' ').append(title).append(":\n");
    for (String s : items.subList(0, Math.min(SHOW, items.size()))) {
      out.append("  ").append(s.length() > 300 ? s.substring(0, 300) + " ..." : s).append('\n');
    }
    if (items.size() > SHOW) {
      out.append("  ...\n");
    }
  }

  /** Null when {@code got} is acceptable for the reference value {@code want}, else why not. */
  static String compare(FeatureDef f, Object want, Object got) {
    AggregationKind kind = f.aggregation().kind();
    if (kind == AggregationKind.APPROX_COUNT_DISTINCT && want instanceof Long exact) {
      if (!(got instanceof Long estimate)) {
        return "expected ~" + want + ", got " + describe(got);
      }
      if (exact < EXACT_DISTINCT_BELOW) {
        return exact.equals(estimate) ? null : "expected exactly " + exact + " distinct, got " + estimate;
      }
      double error = Math.abs(estimate - exact) / (double) exact;
      return error <= DISTINCT_ERROR
          ? null
          : "expected " + exact + " distinct within " + DISTINCT_ERROR + ", got " + estimate;
    }
    if (kind == AggregationKind.APPROX_QUANTILE && want instanceof Double exact) {
      if (!(got instanceof Double estimate)) {
        return "expected ~" + want + ", got " + describe(got);
      }
      if (exact == 0 || Double.isInfinite(exact)) {
        return estimate.doubleValue() == exact.doubleValue()
            ? null
            : "expected exactly " + exact + ", got " + estimate;
      }
      double error = Math.abs(estimate - exact) / Math.abs(exact);
      return error <= QUANTILE_ERROR
          ? null
          : "expected " + exact + " within 1%, got " + estimate + " (" + error + ")";
    }
    return RefMath.same(want, got) ? null : "expected " + describe(want) + ", got " + describe(got);
  }

  private static String describe(Object v) {
    if (v instanceof Double d) {
      return d + " [bits " + Long.toHexString(Double.doubleToRawLongBits(d)) + "]";
    }
    if (v instanceof String s) {
      return "\"" + s.codePoints().mapToObj(c -> c < 0x7f && c >= 0x20 ? Character.toString(c) : String.format("\\u{%x}", c)).reduce("", String::concat) + "\"";
    }
    if (v instanceof List<?> l) {
      List<String> parts = new ArrayList<>();
      for (Object o : l) {
        parts.add(describe(o));
      }
      return parts.toString();
    }
    return v == null ? "null" : v + " (" + v.getClass().getSimpleName() + ")";
  }
}
