package io.featurepipe.transforms.definitions;

import io.featurepipe.transforms.model.Aggregation;
import io.featurepipe.transforms.model.AggregationKind;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.Location;
import io.featurepipe.transforms.model.TypeRules;
import io.featurepipe.transforms.model.ValueType;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Checks one feature of a group: its name, aggregation (with {@code q} or {@code k}), column and
 * window, and builds its {@link FeatureDef}.
 */
final class FeatureChecker {

  static final List<String> KEYS =
      List.of("name", "description", "agg", "column", "window", "q", "k");

  private static final Pattern AGG = Pattern.compile("([a-z_]+)\\s*(?:\\(\\s*([^()]*?)\\s*\\))?");
  private static final List<String> AGG_NAMES =
      Arrays.stream(AggregationKind.values()).map(AggregationKind::yamlName).toList();

  /** Names an offline row already uses besides the entity keys. */
  private static final Set<String> ROW_COLUMNS = Set.of("window_end");

  private final Doc doc;
  private final GroupColumns columns;
  private final Duration hop;
  private final String hopText;
  private final List<String> keyNames;
  private final Map<String, Location> seen = new HashMap<>();

  FeatureChecker(
      Doc doc, GroupColumns columns, Duration hop, String hopText, List<String> keyNames) {
    this.doc = doc;
    this.columns = columns;
    this.hop = hop;
    this.hopText = hopText;
    this.keyNames = keyNames;
  }

  /** The names of all features checked so far, also of those with errors. */
  Set<String> names() {
    return seen.keySet();
  }

  /** Checks the feature at {@code features[index]}; null when it has errors. */
  FeatureDef check(Node node, int index) {
    YamlMap f = YamlMap.of(doc, node, "features[" + index + "]", KEYS);
    if (f == null) {
      return null;
    }
    int before = doc.errorCount();
    String name = name(f);
    String description = f.string("description", false);
    Aggregation agg = aggregation(f);
    String column = f.string("column", false);
    ColumnType inputType = null;
    ValueType outputType = null;
    if (agg != null) {
      inputType = inputType(f, agg, column);
      outputType = outputType(f, agg, column, inputType);
    }
    Duration window = window(f);
    if (doc.errorCount() != before) {
      return null;
    }
    return new FeatureDef(
        name, description, agg, column, window, inputType, outputType, doc.at(f.value("name")));
  }

  private String name(YamlMap f) {
    String name = f.string("name", true);
    if (name == null) {
      return null;
    }
    Node node = f.value("name");
    String problem = Names.checkName(name);
    if (problem != null) {
      doc.error(node, f.field("name"), problem);
      return null;
    }
    Location first = seen.putIfAbsent(name, doc.at(node));
    if (first != null) {
      doc.error(
          node,
          f.field("name"),
          "duplicate feature '" + name + "' (first at line " + first.line() + ")");
    } else if (keyNames.contains(name) || ROW_COLUMNS.contains(name)) {
      doc.error(
          node,
          f.field("name"),
          "feature name '"
              + name
              + "' is taken by a column of the group's rows (entity keys, window_end)");
    }
    return name;
  }

  private Aggregation aggregation(YamlMap f) {
    String text = f.string("agg", true);
    if (text == null) {
      return null;
    }
    Node node = f.value("agg");
    String field = f.field("agg");
    Matcher m = AGG.matcher(text.trim());
    if (!m.matches()) {
      doc.error(
          node,
          field,
          "invalid aggregation '" + text + "': write e.g. sum, approx_quantile(0.95) or top_k(3)");
      return null;
    }
    AggregationKind kind = AggregationKind.parse(m.group(1)).orElse(null);
    if (kind == null) {
      doc.error(
          node,
          field,
          "unknown aggregation '"
              + m.group(1)
              + "'; expected one of "
              + String.join(", ", AGG_NAMES)
              + Names.suggest(m.group(1), AGG_NAMES));
      return null;
    }
    String arg = m.group(2);
    rejectParameter(f, "q", kind != AggregationKind.APPROX_QUANTILE, "approx_quantile");
    rejectParameter(
        f,
        "k",
        kind != AggregationKind.TOP_K && kind != AggregationKind.LAST_K,
        "top_k and last_k");
    switch (kind) {
      case APPROX_QUANTILE:
        Double q = quantile(f, node, arg);
        return q == null ? null : Aggregation.quantile(q);
      case TOP_K:
      case LAST_K:
        Integer k = k(f, node, arg, kind);
        return k == null
            ? null
            : kind == AggregationKind.TOP_K ? Aggregation.topK(k) : Aggregation.lastK(k);
      default:
        if (arg != null) {
          doc.error(node, field, kind.yamlName() + " takes no parameter");
          return null;
        }
        return Aggregation.of(kind);
    }
  }

  private void rejectParameter(YamlMap f, String key, boolean rejected, String appliesTo) {
    if (rejected && f.has(key)) {
      doc.error(f.value(key), f.field(key), key + " applies only to " + appliesTo);
    }
  }

  private Double quantile(YamlMap f, Node aggNode, String arg) {
    Node qNode = f.value("q");
    String example = "approx_quantile(0.95) or add q: 0.95";
    Double q;
    Node at;
    String field;
    if (arg != null && qNode != null) {
      doc.error(qNode, f.field("q"), "q is given twice: in the agg and as q");
      return null;
    } else if (arg != null) {
      at = aggNode;
      field = f.field("agg");
      try {
        q = Double.parseDouble(arg);
      } catch (NumberFormatException e) {
        doc.error(aggNode, field, "q must be a number, not '" + arg + "'");
        return null;
      }
    } else if (qNode != null) {
      at = qNode;
      field = f.field("q");
      q = YamlMap.number(doc, qNode, field);
      if (q == null) {
        return null;
      }
    } else {
      doc.error(aggNode, f.field("agg"), "approx_quantile needs q: write " + example);
      return null;
    }
    if (!(q > 0 && q < 1)) {
      doc.error(at, field, "q must be between 0 and 1 (exclusive), not " + q);
      return null;
    }
    return q;
  }

  private Integer k(YamlMap f, Node aggNode, String arg, AggregationKind kind) {
    Node kNode = f.value("k");
    String name = kind.yamlName();
    Long k;
    Node at;
    String field;
    if (arg != null && kNode != null) {
      doc.error(kNode, f.field("k"), "k is given twice: in the agg and as k");
      return null;
    } else if (arg != null) {
      at = aggNode;
      field = f.field("agg");
      try {
        k = Long.parseLong(arg);
      } catch (NumberFormatException e) {
        doc.error(aggNode, field, "k must be an integer, not '" + arg + "'");
        return null;
      }
    } else if (kNode != null) {
      at = kNode;
      field = f.field("k");
      k = YamlMap.integer(doc, kNode, field);
      if (k == null) {
        return null;
      }
    } else {
      doc.error(aggNode, f.field("agg"), name + " needs k: write " + name + "(3) or add k: 3");
      return null;
    }
    if (k < 1 || k > 1000) {
      doc.error(at, field, "k must be between 1 and 1000, not " + k);
      return null;
    }
    return k.intValue();
  }

  /** The aggregated column's type: null for count, or when unknown (reported when wrong). */
  private ColumnType inputType(YamlMap f, Aggregation agg, String column) {
    if (agg.kind() == AggregationKind.COUNT) {
      if (f.has("column")) {
        doc.error(f.value("column"), f.field("column"), "count counts rows; it takes no column");
      }
      return null;
    }
    if (!f.has("column")) {
      if (!f.misspelled("column")) {
        doc.error(
            f.location(),
            f.field("column"),
            "missing required key 'column': " + agg.kind().yamlName() + " aggregates a column");
      }
      return null;
    }
    if (column == null || !columns.known()) {
      return null;
    }
    if (!columns.has(column)) {
      doc.error(
          f.value("column"),
          f.field("column"),
          "unknown column '"
              + column
              + "' (not a source, derived or custom column)"
              + Names.suggest(column, columns.names()));
      return null;
    }
    return columns.type(column);
  }

  private ValueType outputType(YamlMap f, Aggregation agg, String column, ColumnType inputType) {
    if (agg.kind() != AggregationKind.COUNT && inputType == null) {
      return null; // reported above, or the column's own definition is in error
    }
    try {
      return TypeRules.outputType(agg, inputType);
    } catch (IllegalArgumentException e) {
      doc.error(
          f.value("column"), f.field("column"), e.getMessage() + " (column '" + column + "')");
      return null;
    }
  }

  private Duration window(YamlMap f) {
    Duration window = f.duration("window", false, null, YamlMap.Sign.POSITIVE);
    if (window != null && hop != null && !Durations.isMultiple(window, hop)) {
      doc.error(
          f.value("window"),
          f.field("window"),
          "window " + f.string("window", false) + " is not a multiple of the hop " + hopText);
    }
    return window;
  }
}
