package io.featurepipe.benchmarks.offline;

import java.util.ArrayList;
import java.util.List;

/**
 * The features of the offline benchmark, described once: the suite writes them as a featurepipe
 * repository ({@link #repositoryYaml()}) and the baselines (DuckDB SQL, plain Java) compute the
 * same aggregations from this description, so every engine computes exactly the same rows.
 *
 * <p>Only aggregations whose definition is simple to state outside featurepipe (DESIGN §2–§3):
 * over the payments with an amount, per key and window {@code [e - W, e)} on a 1-hour hop,
 * {@code count}, {@code sum} (0 when empty), {@code mean}, {@code min}, {@code max} (null when
 * empty) and {@code last} (the latest amount within the 7-day ttl, ties by larger amount).
 */
final class BenchFeatures {
  static final long HOP_MILLIS = 3_600_000L;
  static final long DELAY_MILLIS = 120_000L;
  /** The ttl and the longest window, in hops: 7 days. */
  static final int LONGEST_HOPS = 168;

  enum Agg {
    COUNT, SUM, MEAN, MIN, MAX, LAST;

    String yaml() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether the feature is a long (counts) rather than a double. */
    boolean isLong() {
      return this == COUNT;
    }

    /** The value over an empty window: 0 for count and sum, null for the others (DESIGN §2). */
    Object empty() {
      switch (this) {
        case COUNT:
          return 0L;
        case SUM:
          return 0.0;
        default:
          return null;
      }
    }
  }

  /** One feature: an aggregation of {@code amount} over a window of {@code windowHops} hops. */
  record Feature(String name, Agg agg, int windowHops) {}

  /** A feature group: its name, entity, the payments column that keys it, and its features. */
  record Group(String name, String entity, String keyColumn, List<Feature> features) {
    int index(String feature) {
      for (int i = 0; i < features.size(); i++) {
        if (features.get(i).name().equals(feature)) {
          return i;
        }
      }
      throw new IllegalArgumentException("no feature " + feature + " in " + name);
    }
  }

  static final Group USER = new Group("user_amounts", "user", "user_id", userFeatures());
  static final Group MERCHANT = new Group("merchant_volume", "merchant", "merchant_id", List.of(
      new Feature("merchant_count_1d", Agg.COUNT, 24),
      new Feature("merchant_count_7d", Agg.COUNT, 168),
      new Feature("merchant_sum_1d", Agg.SUM, 24),
      new Feature("merchant_sum_7d", Agg.SUM, 168)));
  static final List<Group> GROUPS = List.of(USER, MERCHANT);

  private BenchFeatures() {}

  private static List<Feature> userFeatures() {
    List<Feature> out = new ArrayList<>();
    for (Agg agg : List.of(Agg.COUNT, Agg.SUM, Agg.MEAN, Agg.MIN, Agg.MAX)) {
      out.add(new Feature(agg.yaml() + "_1h", agg, 1));
      out.add(new Feature(agg.yaml() + "_1d", agg, 24));
      out.add(new Feature(agg.yaml() + "_7d", agg, 168));
    }
    out.add(new Feature("last_amount", Agg.LAST, LONGEST_HOPS));
    return List.copyOf(out);
  }

  /** Every feature of every group, for the training set ({@code --features}). */
  static String selection() {
    StringBuilder b = new StringBuilder();
    for (Group g : GROUPS) {
      b.append(b.length() == 0 ? "" : ",").append(g.name()).append(":*");
    }
    return b.toString();
  }

  /** Every feature column of a training row, in order: the user group's, then the merchant's. */
  static List<Feature> trainingColumns() {
    List<Feature> out = new ArrayList<>();
    GROUPS.forEach(g -> out.addAll(g.features()));
    return out;
  }

  /** The featurepipe repository: the payments source of the sample, two entities, two groups. */
  static String repositoryYaml() {
    StringBuilder b = new StringBuilder();
    b.append("""
        # Written by the offline benchmark suite (benchmarks/.../offline/BenchFeatures.java).
        kind: source
        name: payments
        format: jsonl
        timestamp: event_time
        timestamp_format: iso8601
        fields:
          - {name: txn_id,            type: string,    required: true}
          - {name: event_time,        type: timestamp, required: true}
          - {name: user_id,           type: string,    required: true}
          - {name: card_id,           type: string}
          - {name: merchant_id,       type: string,    required: true}
          - {name: merchant_category, type: string}
          - {name: amount,            type: double}
          - {name: currency,          type: string}
          - {name: country,           type: string}
          - {name: channel,           type: string}
          - {name: is_fraud,          type: bool}
        bounded: {path: "payments/{date}.jsonl"}
        watermark_delay: 1m
        allowed_lateness: 1h
        ---
        kind: entity
        name: user
        keys: [{name: user_id, type: string}]
        ---
        kind: entity
        name: merchant
        keys: [{name: merchant_id, type: string}]
        """);
    for (Group g : GROUPS) {
      b.append("---\nkind: feature_group\nname: ").append(g.name()).append('\n')
          .append("entity: ").append(g.entity()).append('\n')
          .append("source: payments\n")
          .append("keys: {").append(g.keyColumn()).append(": ").append(g.keyColumn()).append("}\n")
          .append("filter: \"amount != null\"\n")
          .append("hop: 1h\nttl: 7d\navailability_delay: 2m\nfeatures:\n");
      for (Feature f : g.features()) {
        b.append("  - {name: ").append(f.name()).append(", agg: ").append(f.agg().yaml());
        if (f.agg() != Agg.COUNT) {
          b.append(", column: amount");
        }
        if (f.agg() != Agg.LAST) {
          b.append(", window: ").append(window(f.windowHops()));
        }
        b.append("}\n");
      }
      b.append("online: false\noffline: true\n");
    }
    return b.toString();
  }

  private static String window(int hops) {
    return hops % 24 == 0 ? hops / 24 + "d" : hops + "h";
  }
}
