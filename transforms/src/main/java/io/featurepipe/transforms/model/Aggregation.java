package io.featurepipe.transforms.model;

import java.io.Serializable;

/**
 * An aggregation with its parameter: {@code q} for {@code approx_quantile(q)}, {@code k} for
 * {@code top_k(k)} and {@code last_k(k)}; both are null for the others.
 */
public record Aggregation(AggregationKind kind, Double q, Integer k) implements Serializable {

  public static Aggregation of(AggregationKind kind) {
    return new Aggregation(kind, null, null);
  }

  public static Aggregation quantile(double q) {
    return new Aggregation(AggregationKind.APPROX_QUANTILE, q, null);
  }

  public static Aggregation topK(int k) {
    return new Aggregation(AggregationKind.TOP_K, null, k);
  }

  public static Aggregation lastK(int k) {
    return new Aggregation(AggregationKind.LAST_K, null, k);
  }

  /** As written in definitions and in the version hash: {@code sum}, {@code approx_quantile(0.95)}, {@code top_k(3)}. */
  @Override
  public String toString() {
    if (q != null) {
      return kind.yamlName() + "(" + q + ")";
    }
    if (k != null) {
      return kind.yamlName() + "(" + k + ")";
    }
    return kind.yamlName();
  }
}
