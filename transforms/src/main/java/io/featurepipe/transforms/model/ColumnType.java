package io.featurepipe.transforms.model;

import java.util.Locale;
import java.util.Optional;

/**
 * The types a source column, a derived column or an entity key can have. Values travel through the
 * pipeline as Java objects: {@code STRING} as {@link String}, {@code INT64} as {@link Long},
 * {@code DOUBLE} as {@link Double}, {@code BOOL} as {@link Boolean} and {@code TIMESTAMP} as a
 * {@link Long} count of nanoseconds since the UTC epoch (full precision is kept).
 */
public enum ColumnType {
  STRING("string"),
  INT64("int"),
  DOUBLE("double"),
  BOOL("bool"),
  TIMESTAMP("timestamp");

  private final String yamlName;

  ColumnType(String yamlName) {
    this.yamlName = yamlName;
  }

  /** The name used in definitions and messages. */
  public String yamlName() {
    return yamlName;
  }

  public boolean isNumeric() {
    return this == INT64 || this == DOUBLE || this == BOOL;
  }

  /** Parses a type name as written in YAML: string, int/long/int64, double/float, bool/boolean, timestamp. */
  public static Optional<ColumnType> parse(String name) {
    if (name == null) {
      return Optional.empty();
    }
    switch (name.toLowerCase(Locale.ROOT)) {
      case "string":
        return Optional.of(STRING);
      case "int":
      case "long":
      case "int64":
        return Optional.of(INT64);
      case "double":
      case "float":
      case "float64":
        return Optional.of(DOUBLE);
      case "bool":
      case "boolean":
        return Optional.of(BOOL);
      case "timestamp":
        return Optional.of(TIMESTAMP);
      default:
        return Optional.empty();
    }
  }
}
