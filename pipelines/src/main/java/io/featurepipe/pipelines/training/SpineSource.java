package io.featurepipe.pipelines.training;

import io.featurepipe.transforms.model.ColumnType;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where a spine is and how to read it.
 *
 * @param pattern a file or glob (local path or any Beam file system URL); several files are read
 *     in name order
 * @param format the format, or null to tell it from the file names
 * @param timestampColumn the column holding each row's time {@code t}
 * @param timestampFormat {@code auto} (or null), {@code iso8601}, {@code epoch_seconds}, {@code
 *     epoch_millis}, {@code epoch_micros} or a pattern: see {@link SpineTimestamps}
 * @param columnTypes declared types of CSV or JSON-lines columns (string, int, double, bool),
 *     overriding the default (CSV: string; JSON lines: inferred from the first lines)
 */
public record SpineSource(
    String pattern,
    SpineFormat format,
    String timestampColumn,
    String timestampFormat,
    Map<String, ColumnType> columnTypes)
    implements Serializable {

  public SpineSource {
    if (pattern == null || pattern.isBlank()) {
      throw new IllegalArgumentException("no spine file given");
    }
    if (timestampColumn == null || timestampColumn.isBlank()) {
      throw new IllegalArgumentException("no spine timestamp column given");
    }
    columnTypes = columnTypes == null ? Map.of() : Map.copyOf(columnTypes);
    for (Map.Entry<String, ColumnType> e : columnTypes.entrySet()) {
      if (e.getValue() == ColumnType.TIMESTAMP) {
        throw new IllegalArgumentException(
            "spine column '" + e.getKey() + "' declared as timestamp: declare it as string or int; only the"
                + " spine timestamp column is read as a time");
      }
    }
  }

  /** A spine with default format detection, timestamp format and column types. */
  public static SpineSource of(String pattern, String timestampColumn) {
    return new SpineSource(pattern, null, timestampColumn, null, null);
  }

  /** Parses {@code name:type,name:type} (types string, int, double, bool) into declared column types. */
  public static Map<String, ColumnType> parseColumnTypes(String spec) {
    Map<String, ColumnType> out = new LinkedHashMap<>();
    if (spec == null || spec.isBlank()) {
      return out;
    }
    for (String item : spec.split(",")) {
      String[] parts = item.trim().split(":");
      ColumnType t = parts.length == 2 ? ColumnType.parse(parts[1].trim().toLowerCase(Locale.ROOT)).orElse(null) : null;
      if (t == null || t == ColumnType.TIMESTAMP) {
        throw new IllegalArgumentException(
            "spine column type '" + item.trim() + "' is not name:type with type string, int, double or bool");
      }
      out.put(parts[0].trim(), t);
    }
    return out;
  }

  public SpineSource withFormat(SpineFormat f) {
    return new SpineSource(pattern, f, timestampColumn, timestampFormat, columnTypes);
  }

  public SpineSource withTimestampFormat(String f) {
    return new SpineSource(pattern, format, timestampColumn, f, columnTypes);
  }

  public SpineSource withColumnTypes(Map<String, ColumnType> types) {
    return new SpineSource(pattern, format, timestampColumn, timestampFormat, types);
  }
}
