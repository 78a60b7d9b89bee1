package io.featurepipe.transforms.definitions;

import io.featurepipe.transforms.expr.ExpressionException;
import io.featurepipe.transforms.expr.RowExpression;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The columns of a group being checked: the source's, then derived, then custom columns, with their
 * types. A column whose own definition had an error is <em>unresolved</em>: it exists, but checks
 * that need its type are skipped, so one mistake gives one error, not a cascade. When the source is
 * unknown or its fields are broken, nothing about columns is checked.
 */
final class GroupColumns {

  private static final Pattern UNDECLARED = Pattern.compile("undeclared reference to '([^']*)'");

  private final boolean known;
  private final Map<String, ColumnType> source = new LinkedHashMap<>();
  private final Map<String, ColumnType> all = new LinkedHashMap<>();
  private final Map<String, String> origin = new LinkedHashMap<>();
  private final Set<String> unresolved = new HashSet<>();

  GroupColumns(SourceDef sourceDef, boolean fieldsComplete) {
    this.known = sourceDef != null && fieldsComplete;
    if (known) {
      for (Field f : sourceDef.fields()) {
        source.put(f.name(), f.type());
        add(f.name(), f.type(), "source column");
      }
    }
  }

  /** Whether the source's columns are known, so column checks can run. */
  boolean known() {
    return known;
  }

  /** Adds a column; a null type makes it unresolved. */
  void add(String name, ColumnType type, String what) {
    origin.putIfAbsent(name, what);
    if (type == null) {
      unresolved.add(name);
    } else {
      all.put(name, type);
    }
  }

  boolean has(String name) {
    return all.containsKey(name) || unresolved.contains(name);
  }

  /** {@code source column}, {@code derived column} or {@code custom column}. */
  String originOf(String name) {
    return origin.get(name);
  }

  /** The type of a column, or null when unknown or unresolved. */
  ColumnType type(String name) {
    return all.get(name);
  }

  boolean isUnresolved(String name) {
    return unresolved.contains(name);
  }

  List<String> names() {
    return new ArrayList<>(origin.keySet());
  }

  Map<String, ColumnType> sourceTypes() {
    return Collections.unmodifiableMap(source);
  }

  Map<String, ColumnType> types() {
    return new LinkedHashMap<>(all);
  }

  /** The derived and custom columns with their types, in order. */
  Map<String, ColumnType> derivedTypes() {
    Map<String, ColumnType> out = new LinkedHashMap<>(all);
    out.keySet().removeAll(source.keySet());
    return Collections.unmodifiableMap(out);
  }

  /**
   * Compiles an expression over {@code columns}; reports what CEL says (with its position) at the
   * node, unless it only misses an unresolved column. Null when the columns are unknown or on
   * error.
   */
  RowExpression compile(
      Doc doc, Node node, String field, String text, Map<String, ColumnType> columns) {
    if (!known) {
      return null;
    }
    try {
      return RowExpression.compile(text, columns);
    } catch (ExpressionException e) {
      String message = e.getMessage();
      Matcher m = UNDECLARED.matcher(message);
      String hint = "";
      if (m.find()) {
        String name = m.group(1);
        if (unresolved.contains(name)) {
          return null; // the column's own definition is in error, and reported there
        }
        hint =
            has(name)
                ? " ('" + name + "' is a " + originOf(name) + ", which this expression cannot use)"
                : Names.suggest(name, columns.keySet());
      }
      doc.error(node, field, "invalid expression: " + clean(message) + hint);
      return null;
    }
  }

  static String clean(String celMessage) {
    return celMessage.replace(" (in container '')", "").replaceAll(" \\(candidates: .*\\)$", "");
  }
}
