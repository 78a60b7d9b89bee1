package io.featurepipe.validation.columns;

import io.featurepipe.transforms.compute.GroupPreparer;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.expr.ExpressionException;
import io.featurepipe.transforms.expr.RowExpression;
import io.featurepipe.transforms.expr.RowFunction;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.SourceRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a source record into a group's input row ({@link DatasetColumns#ofGroupInput}): applies
 * the group's filter, then its derived columns (CEL, then custom Java logic), with the same
 * expressions and semantics as feature computation ({@code PrepareGroups}). Not serializable:
 * build it in a DoFn's setup.
 *
 * <p>A record whose expressions fail is reported with {@link BadRecordException}; feature
 * computation sends the same record to its own dead-letter output, so validation only skips it.
 */
public final class GroupRows {
  private final SourceDef source;
  private final DatasetColumns columns;
  private final RowExpression filter;
  private final List<RowExpression> derives = new ArrayList<>();
  private final List<String> deriveNames = new ArrayList<>();
  private final RowFunction custom;
  private final List<String> customNames = new ArrayList<>();

  public GroupRows(FeatureRepository repository, FeatureGroupDef group) {
    this.source = repository.source(group.source());
    this.columns = DatasetColumns.ofGroupInput(repository, group);
    Map<String, ColumnType> types = new LinkedHashMap<>();
    for (Field f : source.fields()) {
      types.put(f.name(), f.type());
    }
    try {
      this.filter = group.filter() == null ? null : RowExpression.compile(group.filter(), types);
      for (Map.Entry<String, String> d : group.derive().entrySet()) {
        RowExpression e = RowExpression.compile(d.getValue(), types);
        derives.add(e);
        deriveNames.add(d.getKey());
        types.put(d.getKey(), e.resultType());
      }
    } catch (ExpressionException e) {
      throw new IllegalArgumentException(
          "feature group '" + group.name() + "': " + e.getMessage(), e);
    }
    if (group.custom() != null) {
      this.custom = newFunction(group.custom().className());
      customNames.addAll(group.custom().columns().keySet());
    } else {
      this.custom = null;
    }
  }

  public DatasetColumns columns() {
    return columns;
  }

  /**
   * The group's input row for a record, in {@link #columns()} order, or null when the group's
   * filter rejects the record.
   *
   * @throws BadRecordException when an expression or the custom logic fails
   */
  public Object[] row(SourceRecord record) throws BadRecordException {
    Map<String, Object> vars = GroupPreparer.celColumns(source, record);
    Object[] out = new Object[columns.size()];
    int n = source.fields().size();
    System.arraycopy(record.values(), 0, out, 0, n);
    try {
      if (filter != null && !Boolean.TRUE.equals(filter.evaluateCel(vars))) {
        return null;
      }
      for (int i = 0; i < derives.size(); i++) {
        RowExpression e = derives.get(i);
        Object v = e.evaluateCel(vars);
        vars.put(deriveNames.get(i), RowExpression.toCel(v, e.resultType()));
        put(out, deriveNames.get(i), v);
      }
    } catch (ExpressionException e) {
      throw new BadRecordException(e.getMessage());
    }
    if (custom != null) {
      Map<String, Object> row = new HashMap<>();
      for (int i = 0; i < out.length; i++) {
        row.put(columns.columns().get(i).name(), out[i]);
      }
      Map<String, Object> extra;
      try {
        extra = custom.apply(Collections.unmodifiableMap(row));
      } catch (RuntimeException e) {
        throw new BadRecordException("custom logic failed: " + e);
      }
      for (String c : customNames) {
        put(out, c, extra == null ? null : extra.get(c));
      }
    }
    return out;
  }

  private void put(Object[] row, String column, Object value) {
    row[columns.indexOf(column)] = value;
  }

  private static RowFunction newFunction(String className) {
    try {
      Class<?> c = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
      return (RowFunction) c.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalStateException("cannot create custom logic " + className + ": " + e, e);
    }
  }
}
