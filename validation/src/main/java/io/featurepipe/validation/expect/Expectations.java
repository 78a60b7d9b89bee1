package io.featurepipe.validation.expect;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.validation.columns.Column;
import io.featurepipe.validation.columns.DatasetColumns;
import io.featurepipe.validation.columns.DatasetKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.tensorflow.metadata.v0.AnomalyInfo;

/**
 * Reads and checks the {@code expect} sections of feature groups ({@link FeatureGroupDef#expect()},
 * raw YAML). Every mistake is reported, each naming the file, the group, the column and the key:
 *
 * <pre>
 * user_spend.yaml:3: feature group 'user_spend', expect 'amount'.'max': expected a number, got "lots"
 * </pre>
 *
 * <p>Supported keys: {@code min}, {@code max} (numbers; int and double columns), {@code presence}
 * (fraction in [0, 1]), {@code domain} (a list of allowed values of the column's type; string, int
 * and bool columns), {@code regex} (string columns), {@code max_distinct_drift} (L-infinity, string
 * columns), {@code max_drift} (Jensen-Shannon divergence), {@code max_skew}, and {@code severity}
 * ({@code warning} or {@code error}, default error).
 */
public final class Expectations {
  /** The keys an expectation may have. */
  public static final List<String> KEYS =
      List.of("min", "max", "presence", "domain", "regex", "max_distinct_drift", "max_drift", "max_skew", "severity");

  private Expectations() {}

  /** Every group's expectations, by group name. */
  public static Map<String, GroupExpectations> of(FeatureRepository repository) {
    Map<String, GroupExpectations> out = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    for (FeatureGroupDef g : repository.allGroups()) {
      try {
        out.put(g.name(), of(repository, g));
      } catch (ExpectationException e) {
        errors.addAll(e.errors());
      }
    }
    if (!errors.isEmpty()) {
      throw new ExpectationException(errors);
    }
    return out;
  }

  /**
   * One group's expectations.
   *
   * @throws ExpectationException listing every mistake
   */
  public static GroupExpectations of(FeatureRepository repository, FeatureGroupDef group) {
    DatasetColumns input = DatasetColumns.ofGroupInput(repository, group);
    DatasetColumns features = DatasetColumns.ofGroupFeatures(repository, group);
    Map<String, ColumnExpectation> out = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    for (Map.Entry<String, Map<String, Object>> e : group.expect().entrySet()) {
      String name = e.getKey();
      Optional<Column> inInput = input.column(name);
      Optional<Column> inFeatures = features.column(name);
      Parser p = new Parser(group, name, errors);
      if (inInput.isEmpty() && inFeatures.isEmpty()) {
        p.error(null, "no such source, derived, key or feature column");
        continue;
      }
      Column column = inInput.orElseGet(inFeatures::get);
      DatasetKind dataset = inInput.isPresent() ? DatasetKind.GROUP_INPUT : DatasetKind.GROUP_FEATURES;
      ColumnExpectation parsed = p.parse(column, dataset, e.getValue() == null ? Map.of() : e.getValue());
      if (parsed != null) {
        out.put(name, parsed);
      }
    }
    if (!errors.isEmpty()) {
      throw new ExpectationException(errors);
    }
    return new GroupExpectations(group.name(), out);
  }

  /** Parses one column's entry, collecting errors. */
  private static final class Parser {
    private final FeatureGroupDef group;
    private final String column;
    private final List<String> errors;
    private final int before;
    private String typeName = "";

    Parser(FeatureGroupDef group, String column, List<String> errors) {
      this.group = group;
      this.column = column;
      this.errors = errors;
      this.before = errors.size();
    }

    ColumnExpectation parse(Column c, DatasetKind dataset, Map<String, Object> raw) {
      for (String key : raw.keySet()) {
        if (!KEYS.contains(key)) {
          error(key, "unknown key; supported: " + String.join(", ", KEYS));
        }
      }
      ColumnType type = c.type();
      typeName = (c.list() ? "list of " : "") + type.yamlName();
      boolean numeric = type == ColumnType.INT64 || type == ColumnType.DOUBLE;
      Double min = number(raw, "min", numeric, "int and double columns");
      Double max = number(raw, "max", numeric, "int and double columns");
      if (min != null && max != null && min > max) {
        error("min", "min " + fmt(min) + " is above max " + fmt(max));
      }
      Double presence = fraction(raw, "presence", true);
      List<Object> domain = domain(raw.get("domain"), type);
      String regex = regex(raw.get("regex"), type);
      Double distinct = fraction(raw, "max_distinct_drift", type == ColumnType.STRING);
      Double drift = fraction(raw, "max_drift", true);
      Double skew = fraction(raw, "max_skew", true);
      AnomalyInfo.Severity severity = severity(raw.get("severity"));
      if (errors.size() > before) {
        return null;
      }
      return new ColumnExpectation(
          c, dataset, min, max, presence, domain, regex, distinct, drift, skew, severity);
    }

    private Double number(Map<String, Object> raw, String key, boolean allowed, String where) {
      Object v = raw.get(key);
      if (v == null) {
        return null;
      }
      if (!allowed) {
        error(key, "only applies to " + where + ", not to a " + typeName() + " column");
        return null;
      }
      if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
        error(key, "expected a number, got " + describe(v));
        return null;
      }
      return n.doubleValue();
    }

    private Double fraction(Map<String, Object> raw, String key, boolean allowed) {
      Object v = raw.get(key);
      if (v != null && !allowed) {
        error(key, "only applies to string columns, not to a " + typeName()
            + " column (use max_drift for a Jensen-Shannon threshold)");
        return null;
      }
      Double d = number(raw, key, true, "");
      if (d != null && (d < 0 || d > 1)) {
        error(key, "expected a fraction between 0 and 1, got " + fmt(d));
        return null;
      }
      return d;
    }

    private List<Object> domain(Object v, ColumnType type) {
      if (v == null) {
        return null;
      }
      if (!(v instanceof List<?> list) || list.isEmpty()) {
        error("domain", "expected a non-empty list of allowed values, got " + describe(v));
        return null;
      }
      List<Object> out = new ArrayList<>();
      for (Object item : list) {
        Object value =
            switch (type) {
              case STRING -> item instanceof String ? item : null;
              case INT64 -> item instanceof Integer || item instanceof Long ? ((Number) item).longValue() : null;
              case BOOL -> item instanceof Boolean ? item : null;
              default -> null;
            };
        if (value == null) {
          error("domain", type == ColumnType.DOUBLE || type == ColumnType.TIMESTAMP
              ? "only applies to string, int and bool columns, not to a " + typeName() + " column"
              : "value " + describe(item) + " is not a " + typeName());
          return null;
        }
        out.add(value);
      }
      return List.copyOf(out);
    }

    private String regex(Object v, ColumnType type) {
      if (v == null) {
        return null;
      }
      if (type != ColumnType.STRING) {
        error("regex", "only applies to string columns, not to a " + typeName() + " column");
        return null;
      }
      if (!(v instanceof String s)) {
        error("regex", "expected a regular expression, got " + describe(v));
        return null;
      }
      try {
        Pattern.compile(s);
        return s;
      } catch (PatternSyntaxException e) {
        error("regex", "not a valid regular expression: " + e.getDescription() + " near index " + e.getIndex());
        return null;
      }
    }

    private AnomalyInfo.Severity severity(Object v) {
      if (v == null) {
        return null;
      }
      String s = String.valueOf(v).toLowerCase(Locale.ROOT);
      if (s.equals("warning")) {
        return AnomalyInfo.Severity.WARNING;
      }
      if (s.equals("error")) {
        return AnomalyInfo.Severity.ERROR;
      }
      error("severity", "expected warning or error, got " + describe(v));
      return null;
    }

    private String typeName() {
      return typeName;
    }

    void error(String key, String message) {
      errors.add(
          group.location().file()
              + (group.location().line() > 0 ? ":" + group.location().line() : "")
              + ": feature group '" + group.name() + "', expect '" + column + "'"
              + (key == null ? "" : ".'" + key + "'") + ": " + message);
    }
  }

  private static String describe(Object v) {
    return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
  }
}
