package io.featurepipe.transforms.definitions;

import io.featurepipe.transforms.expr.ExpressionException;
import io.featurepipe.transforms.expr.RowExpression;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The version of a feature group (DESIGN §2): the first 8 hex digits of the SHA-256 of a canonical
 * text of everything that changes the group's values, and nothing else.
 *
 * <p>The text holds, one item a line, in this order: the source's name; the source columns the
 * group reads, with their types, sorted by name (those its key, filter and derive expressions
 * reference, those its features aggregate, and all of them when custom logic is set, since Java can
 * read any); the event-time column and its format; the entity's key names and types; the key
 * expressions; the filter; the derived columns in order; the custom class and its columns, sorted;
 * the hop and the ttl; and each feature's name, aggregation, column and effective window, in order.
 * Durations are written in ISO-8601 ({@code PT24H}), so {@code 1d} and {@code 24h} are the same
 * version. Descriptions, {@code expect}, {@code online}, {@code offline}, {@code
 * availability_delay}, {@code watermark_delay} and {@code allowed_lateness} are left out.
 * Expressions are hashed as written (trimmed): reformatting one makes a new version.
 */
public final class GroupVersions {
  private GroupVersions() {}

  /** First line of the canonical text: bump it only to change every version on purpose. */
  static final String HEADER = "featurepipe group version 1";

  /** The version of a checked group: 8 lowercase hex characters. */
  public static String version(FeatureGroupDef group, SourceDef source, EntityDef entity) {
    return hash(canonicalText(group, source, entity));
  }

  /** The first 8 lowercase hex digits of the SHA-256 of a canonical text. */
  static String hash(String canonicalText) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(canonicalText.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder();
      for (int i = 0; i < 4; i++) {
        hex.append(String.format("%02x", hash[i]));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The canonical text hashed into the version (the group's own version is ignored). */
  public static String canonicalText(FeatureGroupDef group, SourceDef source, EntityDef entity) {
    StringBuilder b = new StringBuilder(HEADER).append('\n');
    line(b, "source", q(source.name()));
    for (Map.Entry<String, ColumnType> c : sourceColumnsRead(group, source).entrySet()) {
      line(b, "source_column", q(c.getKey()), c.getValue().yamlName());
    }
    line(b, "timestamp", q(source.timestampColumn()), q(source.timestampFormat()));
    for (Field k : entity.keys()) {
      line(b, "entity_key", q(k.name()), k.type().yamlName());
    }
    for (Map.Entry<String, String> k : group.keys().entrySet()) {
      line(b, "key", q(k.getKey()), q(k.getValue().trim()));
    }
    line(b, "filter", group.filter() == null ? "-" : q(group.filter().trim()));
    for (Map.Entry<String, String> d : group.derive().entrySet()) {
      line(b, "derive", q(d.getKey()), q(d.getValue().trim()));
    }
    if (group.custom() != null) {
      line(b, "custom", q(group.custom().className()));
      for (Map.Entry<String, ColumnType> c : new TreeMap<>(group.custom().columns()).entrySet()) {
        line(b, "custom_column", q(c.getKey()), c.getValue().yamlName());
      }
    }
    line(b, "hop", group.hop().toString());
    line(b, "ttl", group.ttl().toString());
    for (FeatureDef f : group.features()) {
      line(
          b,
          "feature",
          q(f.name()),
          q(f.aggregation().toString()),
          f.column() == null ? "-" : q(f.column()),
          group.windowOf(f).toString());
    }
    return b.toString();
  }

  /** The source columns a group reads, with their types, sorted by name. */
  static Map<String, ColumnType> sourceColumnsRead(FeatureGroupDef group, SourceDef source) {
    Map<String, ColumnType> all = new LinkedHashMap<>();
    source.fields().forEach(f -> all.put(f.name(), f.type()));
    Map<String, ColumnType> sourceTypes = new LinkedHashMap<>(all);
    all.putAll(group.derivedTypes());
    Set<String> read = new TreeSet<>();
    if (group.custom() != null) {
      read.addAll(sourceTypes.keySet());
    }
    group.keys().values().forEach(e -> read.addAll(references(e, all)));
    if (group.filter() != null) {
      read.addAll(references(group.filter(), all));
    }
    group.derive().values().forEach(e -> read.addAll(references(e, all)));
    group.features().stream().filter(f -> f.column() != null).forEach(f -> read.add(f.column()));
    Map<String, ColumnType> out = new TreeMap<>();
    for (String c : read) {
      if (sourceTypes.containsKey(c)) {
        out.put(c, sourceTypes.get(c));
      }
    }
    return out;
  }

  private static Set<String> references(String expression, Map<String, ColumnType> columns) {
    try {
      return RowExpression.compile(expression, columns).referencedColumns();
    } catch (ExpressionException e) {
      throw new IllegalArgumentException(
          "expression '" + expression + "' does not compile: " + e.getMessage(), e);
    }
  }

  static void line(StringBuilder b, String... parts) {
    b.append(String.join(" ", parts)).append('\n');
  }

  /** A string quoted so that no value can run into the next: JSON-style escapes. */
  static String q(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
