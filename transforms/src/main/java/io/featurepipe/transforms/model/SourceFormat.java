package io.featurepipe.transforms.model;

import java.util.Locale;
import java.util.Optional;

/** How a source's records are encoded. */
public enum SourceFormat {
  CSV,
  JSONL,
  AVRO,
  PARQUET;

  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<SourceFormat> parse(String s) {
    for (SourceFormat f : values()) {
      if (f.yamlName().equals(s)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
