package io.featurepipe.validation.check;

import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.validation.anomalies.AnomalyReasons;
import io.featurepipe.validation.columns.DatasetKind;
import io.featurepipe.validation.columns.GroupRows;
import io.featurepipe.validation.expect.ColumnExpectation;
import io.featurepipe.validation.expect.Expectations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The per-record checks of a source: every field has its declared type, required fields are
 * present, the event time is within the {@link TimeBounds}, and, for every group of the source
 * that keeps the record (its filter passes), the group's record-level expectations hold on the
 * source and derived columns: {@code min}/{@code max} (NaN fails them), {@code domain}, {@code
 * regex}. Dataset-level expectations (presence, drift, skew) are checked on statistics instead.
 * Not serializable: build it in a DoFn's setup.
 *
 * <p>A record whose group expressions fail is not checked for that group: feature computation
 * sends it to its own dead-letter output.
 */
public final class RecordChecker {
  private final SourceDef source;
  private final TimeBounds bounds;
  private final List<GroupChecks> groups = new ArrayList<>();

  private record Rule(ColumnExpectation expectation, int index, Pattern regex) {}

  private record GroupChecks(String name, GroupRows rows, List<Rule> rules) {}

  public RecordChecker(FeatureRepository repository, String sourceName, TimeBounds bounds) {
    this.source = repository.source(sourceName);
    this.bounds = bounds;
    for (FeatureGroupDef g : repository.groupsOf(sourceName)) {
      GroupRows rows = null;
      List<Rule> rules = new ArrayList<>();
      for (ColumnExpectation e : Expectations.of(repository, g).of(DatasetKind.GROUP_INPUT).values()) {
        if (e.hasRecordChecks()) {
          if (rows == null) {
            rows = new GroupRows(repository, g);
          }
          rules.add(new Rule(e, rows.columns().indexOf(e.column().name()), e.regex() == null ? null : Pattern.compile(e.regex())));
        }
      }
      if (!rules.isEmpty()) {
        groups.add(new GroupChecks(g.name(), rows, rules));
      }
    }
  }

  /** The failed checks of a record; empty when it passes. */
  public List<CheckFailure> check(SourceRecord record) {
    List<CheckFailure> failures = new ArrayList<>();
    List<Field> fields = source.fields();
    boolean typesOk = true;
    for (int i = 0; i < fields.size(); i++) {
      Field f = fields.get(i);
      Object v = i < record.values().length ? record.value(i) : null;
      if (v == null) {
        if (f.required()) {
          failures.add(new CheckFailure("required", "", f.name(), "null", "the field is required"));
        }
      } else if (!fits(v, f.type())) {
        typesOk = false;
        failures.add(new CheckFailure("type", "", f.name(), describe(v) + " (" + v.getClass().getSimpleName() + ")",
            "not a " + f.type().yamlName()));
      }
    }
    if (record.values().length != fields.size()) {
      failures.add(new CheckFailure("type", "", "*", record.values().length + " values",
          "the source has " + fields.size() + " fields"));
      return failures;
    }
    checkTime(record, failures);
    if (typesOk) {
      for (GroupChecks g : groups) {
        checkGroup(g, record, failures);
      }
    }
    return failures;
  }

  private void checkTime(SourceRecord record, List<CheckFailure> failures) {
    Instant t = Instant.ofEpochSecond(0, record.eventTimeNanos());
    String column = source.timestampColumn();
    Instant now = bounds.maxFuture() != null || bounds.maxAge() != null ? bounds.clock().now() : null;
    if (bounds.maxFuture() != null && t.isAfter(now.plus(bounds.maxFuture()))) {
      failures.add(new CheckFailure("future_timestamp", "", column, t.toString(),
          "more than " + text(bounds.maxFuture()) + " after now (" + now + ")"));
    }
    if (bounds.maxAge() != null && t.isBefore(now.minus(bounds.maxAge()))) {
      failures.add(new CheckFailure("past_timestamp", "", column, t.toString(),
          "more than " + text(bounds.maxAge()) + " before now (" + now + ")"));
    }
    if (bounds.notAfter() != null && !t.isBefore(bounds.notAfter())) {
      failures.add(new CheckFailure("future_timestamp", "", column, t.toString(), "not before " + bounds.notAfter()));
    }
    if (bounds.notBefore() != null && t.isBefore(bounds.notBefore())) {
      failures.add(new CheckFailure("past_timestamp", "", column, t.toString(), "before " + bounds.notBefore()));
    }
  }

  private static void checkGroup(GroupChecks g, SourceRecord record, List<CheckFailure> failures) {
    Object[] row;
    try {
      row = g.rows().row(record);
    } catch (BadRecordException e) {
      return;
    }
    if (row == null) {
      return; // the group's filter does not keep the record
    }
    for (Rule rule : g.rules()) {
      Object v = row[rule.index()];
      if (v == null) {
        continue; // presence is a dataset-level check
      }
      ColumnExpectation e = rule.expectation();
      String column = e.column().name();
      if (e.min() != null || e.max() != null) {
        double x = ((Number) v).doubleValue();
        if (Double.isNaN(x)) {
          failures.add(new CheckFailure("range", g.name(), column, "NaN", "not a number"));
        } else if (e.min() != null && x < e.min()) {
          failures.add(new CheckFailure("range", g.name(), column, describe(v), "below min " + AnomalyReasons.format(e.min())));
        } else if (e.max() != null && x > e.max()) {
          failures.add(new CheckFailure("range", g.name(), column, describe(v), "above max " + AnomalyReasons.format(e.max())));
        }
      }
      if (e.domain() != null && !e.domain().contains(v)) {
        failures.add(new CheckFailure("domain", g.name(), column, describe(v), "not one of " + e.domain()));
      }
      if (rule.regex() != null && !rule.regex().matcher((String) v).matches()) {
        failures.add(new CheckFailure("regex", g.name(), column, describe(v), "does not match " + e.regex()));
      }
    }
  }

  private static boolean fits(Object v, ColumnType type) {
    return switch (type) {
      case STRING -> v instanceof String;
      case INT64, TIMESTAMP -> v instanceof Long;
      case DOUBLE -> v instanceof Double;
      case BOOL -> v instanceof Boolean;
    };
  }

  private static String describe(Object v) {
    return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
  }

  private static String text(Duration d) {
    return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }
}
