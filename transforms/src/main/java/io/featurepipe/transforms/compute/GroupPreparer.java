package io.featurepipe.transforms.compute;

import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.expr.ExpressionException;
import io.featurepipe.transforms.expr.RowExpression;
import io.featurepipe.transforms.expr.RowFunction;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.SourceRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a group's row logic to one source record: the filter, the derived columns (CEL, then
 * custom Java logic) and the key expressions, and picks the values the group's tiles aggregate.
 * Plain Java, compiled once per worker; not serializable (build it in a DoFn's setup).
 */
public final class GroupPreparer {

  /** A record's contribution to a group: the entity key and the aggregated values. */
  public record Prepared(List<Object> key, TileInput input) {}

  private final CompiledGroup group;
  private final RowExpression filter;
  private final List<String> deriveNames = new ArrayList<>();
  private final List<RowExpression> derives = new ArrayList<>();
  private final RowFunction custom;
  private final List<String> keyNames = new ArrayList<>();
  private final List<ColumnType> keyTypes = new ArrayList<>();
  private final List<RowExpression> keys = new ArrayList<>();
  /** For each aggregated column: its index in the source record, or -1 when it is derived. */
  private final int[] sourceIndex;
  private final boolean needsJavaRow;

  public GroupPreparer(CompiledGroup group, List<Field> entityKeys) throws ExpressionException {
    this.group = group;
    FeatureGroupDef def = group.def();
    SourceDef source = group.source();
    Map<String, ColumnType> types = new LinkedHashMap<>();
    for (Field f : source.fields()) {
      types.put(f.name(), f.type());
    }
    this.filter = def.filter() == null ? null : RowExpression.compile(def.filter(), types);
    for (Map.Entry<String, String> d : def.derive().entrySet()) {
      RowExpression e = RowExpression.compile(d.getValue(), types);
      deriveNames.add(d.getKey());
      derives.add(e);
      types.put(d.getKey(), e.resultType());
    }
    if (def.custom() != null) {
      this.custom = instantiate(def.custom().className());
      types.putAll(def.custom().columns());
    } else {
      this.custom = null;
    }
    for (Field k : entityKeys) {
      keyNames.add(k.name());
      keyTypes.add(k.type());
      keys.add(RowExpression.compile(def.keys().get(k.name()), types));
    }
    List<String> columns = group.columns();
    this.sourceIndex = new int[columns.size()];
    for (int i = 0; i < sourceIndex.length; i++) {
      sourceIndex[i] = source.indexOf(columns.get(i));
    }
    this.needsJavaRow = custom != null;
  }

  public CompiledGroup group() {
    return group;
  }

  /**
   * Prepares a record, given its columns in CEL form ({@link #celColumns}, shared by all groups of
   * the source).
   *
   * @return the key and values, or null when the filter rejects the record
   * @throws BadRecordException when an expression fails, a key is null, or custom logic fails
   */
  public Prepared prepare(SourceRecord record, Map<String, Object> celColumns)
      throws BadRecordException {
    return keeps(celColumns) ? prepareKept(record, celColumns) : null;
  }

  /** The group's filter as written, or null when it has none. */
  public String filter() {
    return filter == null ? null : filter.source();
  }

  /**
   * Whether the group's filter keeps a record (true without a filter), given its columns in CEL
   * form.
   *
   * @throws BadRecordException when the filter fails
   */
  public boolean keeps(Map<String, Object> celColumns) throws BadRecordException {
    try {
      return filter == null || Boolean.TRUE.equals(filter.evaluateCel(celColumns));
    } catch (ExpressionException e) {
      throw new BadRecordException(e.getMessage());
    }
  }

  /**
   * {@link #prepare} of a record the filter keeps ({@link #keeps}): derived columns, custom logic,
   * keys and values.
   */
  public Prepared prepareKept(SourceRecord record, Map<String, Object> celColumns)
      throws BadRecordException {
    Map<String, Object> vars = celColumns;
    Map<String, Object> derived = null;
    try {
      if (!derives.isEmpty() || custom != null) {
        vars = celColumns instanceof CelColumns view ? view.copy() : new HashMap<>(celColumns);
        derived = new HashMap<>();
        for (int i = 0; i < derives.size(); i++) {
          Object v = derives.get(i).evaluateCel(vars);
          derived.put(deriveNames.get(i), v);
          vars.put(deriveNames.get(i), RowExpression.toCel(v, derives.get(i).resultType()));
        }
      }
      if (custom != null) {
        applyCustom(record, derived, vars);
      }
      List<Object> key = new ArrayList<>(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        Object k = keys.get(i).evaluateCel(vars);
        if (k == null) {
          throw new BadRecordException("key '" + keyNames.get(i) + "' is null");
        }
        key.add(k);
      }
      Object[] values = new Object[sourceIndex.length];
      for (int i = 0; i < values.length; i++) {
        values[i] =
            sourceIndex[i] >= 0 ? record.value(sourceIndex[i]) : derived.get(group.columns().get(i));
      }
      return new Prepared(key, new TileInput(record.eventTimeNanos(), values));
    } catch (ExpressionException e) {
      throw new BadRecordException(e.getMessage());
    }
  }

  /**
   * A record's source columns in CEL form, to share across the groups of its source: a view over
   * the record that converts a column when an expression first reads it ({@link CelColumns}); a
   * {@code put} adds a name to this view only.
   */
  public static Map<String, Object> celColumns(SourceDef source, SourceRecord record) {
    return new CelColumns(source.fields(), record);
  }

  private void applyCustom(SourceRecord record, Map<String, Object> derived, Map<String, Object> vars)
      throws BadRecordException {
    List<Field> fields = group.source().fields();
    Map<String, Object> row = new HashMap<>();
    for (int i = 0; i < fields.size(); i++) {
      row.put(fields.get(i).name(), record.value(i));
    }
    row.putAll(derived);
    Map<String, Object> out;
    try {
      out = custom.apply(java.util.Collections.unmodifiableMap(row));
    } catch (RuntimeException e) {
      throw new BadRecordException(
          "custom logic " + group.def().custom().className() + " failed: " + e);
    }
    for (Map.Entry<String, ColumnType> c : group.def().custom().columns().entrySet()) {
      Object v = out == null ? null : out.get(c.getKey());
      if (v != null && !fits(v, c.getValue())) {
        throw new BadRecordException(
            "custom logic " + group.def().custom().className() + " gave column '" + c.getKey()
                + "' the value " + v + " (" + v.getClass().getSimpleName() + "), not a "
                + c.getValue().yamlName());
      }
      derived.put(c.getKey(), v);
      vars.put(c.getKey(), RowExpression.toCel(v, c.getValue()));
    }
  }

  private static boolean fits(Object v, ColumnType type) {
    switch (type) {
      case STRING:
        return v instanceof String;
      case INT64:
      case TIMESTAMP:
        return v instanceof Long;
      case DOUBLE:
        return v instanceof Double;
      case BOOL:
        return v instanceof Boolean;
      default:
        return false;
    }
  }

  private static RowFunction instantiate(String className) {
    try {
      Class<?> c = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
      return (RowFunction) c.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalStateException("cannot create custom logic " + className + ": " + e, e);
    }
  }
}
