package io.featurepipe.transforms.model;

import java.util.Locale;
import java.util.Optional;

/** The aggregations of DESIGN §2. */
public enum AggregationKind {
  COUNT,
  SUM,
  MEAN,
  MIN,
  MAX,
  FIRST,
  LAST,
  STDDEV,
  VARIANCE,
  APPROX_COUNT_DISTINCT,
  APPROX_QUANTILE,
  TOP_K,
  LAST_K;

  /** The name used in definitions: {@code count}, {@code approx_quantile}, ... */
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<AggregationKind> parse(String name) {
    for (AggregationKind k : values()) {
      if (k.yamlName().equals(name)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }
}
