package io.featurepipe.transforms.compute;

import io.featurepipe.transforms.expr.RowExpression;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.record.SourceRecord;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A record's source columns in CEL form, as a map from column name to value: a view over the
 * record, each column converted ({@link RowExpression#toCel}) when first read. Expressions read a
 * few columns of every record once per group; building a {@code HashMap} of every column for each
 * record cost more than the reads (5% of a backfill's CPU samples). Columns are found by a scan of
 * the source's fields, as short as a source's schema. {@link #put} adds or shadows a name (a
 * derived column) in this view only.
 */
final class CelColumns extends AbstractMap<String, Object> {
  private static final Object UNREAD = new Object();

  private final List<Field> fields;
  private final SourceRecord record;
  private final Object[] cel;
  private Map<String, Object> added;

  CelColumns(List<Field> fields, SourceRecord record) {
    this(fields, record, new Object[fields.size()]);
    Arrays.fill(cel, UNREAD);
  }

  private CelColumns(List<Field> fields, SourceRecord record, Object[] cel) {
    this.fields = fields;
    this.record = record;
    this.cel = cel;
  }

  /**
   * Another view of the same record, with the columns this one has converted and the names it has
   * added: what a group with derived columns adds to it stays out of this view (which the other
   * groups of the record share), and no column is converted again or copied eagerly.
   */
  CelColumns copy() {
    CelColumns c = new CelColumns(fields, record, cel.clone());
    if (added != null) {
      c.added = new HashMap<>(added);
    }
    return c;
  }

  private int indexOf(Object name) {
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private Object column(int i) {
    Object v = cel[i];
    if (v == UNREAD) {
      v = RowExpression.toCel(record.value(i), fields.get(i).type());
      cel[i] = v;
    }
    return v;
  }

  @Override
  public Object get(Object name) {
    if (added != null && added.containsKey(name)) {
      return added.get(name);
    }
    int i = indexOf(name);
    return i < 0 ? null : column(i);
  }

  @Override
  public boolean containsKey(Object name) {
    return (added != null && added.containsKey(name)) || indexOf(name) >= 0;
  }

  @Override
  public Object put(String name, Object value) {
    Object before = get(name);
    if (added == null) {
      added = new HashMap<>();
    }
    added.put(name, value);
    return before;
  }

  /** Every column (converted now) and every added name, in schema order then the added ones. */
  @Override
  public Set<Map.Entry<String, Object>> entrySet() {
    Map<String, Object> all = new LinkedHashMap<>();
    for (int i = 0; i < fields.size(); i++) {
      all.put(fields.get(i).name(), column(i));
    }
    if (added != null) {
      all.putAll(added);
    }
    return Collections.unmodifiableMap(all).entrySet();
  }
}
