package io.featurepipe.transforms.reference;

import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The feature repository of the reference tests, written as YAML (docs/definitions.md) and loaded
 * with {@link RepositoryLoader}. One source {@code events} with a column of every type; groups on
 * three hops with windows of one hop, several hops and window-less (ttl) features, covering every
 * aggregation over every column type the type rules allow, in both parameter spellings.
 */
final class ReferenceRepository {
  private ReferenceRepository() {}

  /** The source's columns, in order: the values of each {@code SourceRecord}. */
  static final List<String> FIELDS = List.of("event_time", "user_id", "shard", "i", "d", "s", "b", "t");

  /** Groups computed by the randomized comparisons. */
  static final List<String> RANDOM_GROUPS = List.of("g_minute", "g_five", "g_half");

  private static final String SOURCE =
      """
      kind: source
      name: events
      format: jsonl
      timestamp: event_time
      timestamp_format: epoch_micros
      fields:
        - {name: event_time, type: timestamp, required: true}
        - {name: user_id, type: string, required: true}
        - {name: shard, type: int, required: true}
        - {name: i, type: int}
        - {name: d, type: double}
        - {name: s, type: string}
        - {name: b, type: bool}
        - {name: t, type: timestamp}
      bounded: {path: "events/*.jsonl"}
      ---
      kind: entity
      name: user
      keys: [{name: user_id, type: string}]
      ---
      kind: entity
      name: user_shard
      keys:
        - {name: user_id, type: string}
        - {name: shard, type: int}
      """;

  /**
   * Every aggregation over every column it accepts: int i, double d, string s, bool b, timestamp t.
   * {@code window} null means window-less (the group's ttl).
   */
  static List<String> fullSet(String label, String window) {
    List<String> f = new ArrayList<>();
    f.add(feature("count_" + label, "count", null, window));
    for (String c : List.of("i", "d", "b")) {
      for (String agg : List.of("sum", "mean", "stddev", "variance")) {
        f.add(feature(agg + "_" + c + "_" + label, agg, c, window));
      }
    }
    for (String c : List.of("i", "d", "s", "b", "t")) {
      for (String agg : List.of("min", "max", "first", "last", "approx_count_distinct")) {
        String name = agg.equals("approx_count_distinct") ? "acd" : agg;
        f.add(feature(name + "_" + c + "_" + label, agg, c, window));
      }
      f.add(feature("top3_" + c + "_" + label, "top_k(3)", c, window));
      f.add(feature("last4_" + c + "_" + label, "last_k(4)", c, window));
    }
    f.add(feature("q50_i_" + label, "approx_quantile(0.5)", "i", window));
    f.add(feature("q50_d_" + label, "approx_quantile(0.5)", "d", window));
    f.add(feature("q25_i_" + label, "approx_quantile, q: 0.25", "i", window));
    f.add(feature("q90_d_" + label, "approx_quantile, q: 0.9", "d", window));
    f.add(feature("top1_s_" + label, "top_k, k: 1", "s", window));
    f.add(feature("last1_d_" + label, "last_k, k: 1", "d", window));
    return f;
  }

  /** A smaller mix, for the secondary windows. */
  static List<String> reducedSet(String label, String window) {
    return List.of(
        feature("count_" + label, "count", null, window),
        feature("sum_d_" + label, "sum", "d", window),
        feature("sum_i_" + label, "sum", "i", window),
        feature("mean_b_" + label, "mean", "b", window),
        feature("stddev_d_" + label, "stddev", "d", window),
        feature("variance_i_" + label, "variance", "i", window),
        feature("min_s_" + label, "min", "s", window),
        feature("max_d_" + label, "max", "d", window),
        feature("first_t_" + label, "first", "t", window),
        feature("last_s_" + label, "last", "s", window),
        feature("acd_d_" + label, "approx_count_distinct", "d", window),
        feature("q50_d_" + label, "approx_quantile(0.5)", "d", window),
        feature("top2_i_" + label, "top_k(2)", "i", window),
        feature("last3_s_" + label, "last_k(3)", "s", window));
  }

  private static String feature(String name, String agg, String column, String window) {
    StringBuilder b = new StringBuilder("  - {name: ").append(name).append(", agg: ").append(agg);
    if (column != null) {
      b.append(", column: ").append(column);
    }
    if (window != null) {
      b.append(", window: ").append(window);
    }
    return b.append("}\n").toString();
  }

  private static String group(String header, List<List<String>> featureSets) {
    StringBuilder b = new StringBuilder("---\nkind: feature_group\n").append(header).append("features:\n");
    featureSets.forEach(set -> set.forEach(b::append));
    return b.toString();
  }

  static String yaml() {
    return SOURCE
        // hop 1m: windows of 1 hop and 5 hops, window-less features on a 12m ttl
        + group(
            "name: g_minute\nentity: user\nsource: events\nkeys: {user_id: user_id}\nhop: 1m\nttl: 12m\n",
            List.of(fullSet("w1", "1m"), fullSet("w5", "5m"), fullSet("ttl", null)))
        // hop 5m: 1 and 3 hops, ttl 30m (longest)
        + group(
            "name: g_five\nentity: user\nsource: events\nkeys: {user_id: user_id}\nhop: 5m\nttl: 30m\n",
            List.of(reducedSet("w5", "5m"), fullSet("w15", "15m"), reducedSet("ttl", null)))
        // hop 30s: 1 and 3 hops, no ttl (every feature names a window)
        + group(
            "name: g_half\nentity: user\nsource: events\nkeys: {user_id: user_id}\nhop: 30s\n",
            List.of(fullSet("w30", "30s"), reducedSet("w90", "90s")))
        // filter, derive (CEL) and a composite key with a key expression; a hop that does not divide an hour
        + group(
            """
            name: g_expr
            entity: user_shard
            source: events
            keys: {user_id: user_id, shard: "shard % 3"}
            filter: "i != null && i % 5 != 0"
            derive:
              i2: "i * 2"
              big: "d != null && d > 10.0"
              hour: "event_time.getHours()"
              tag: "s != null ? s + '#' : 'none'"
              dm: "d != null ? d * 2.0 : -1.0"
              ratio: "i / (i - 3)"
            hop: 7m
            ttl: 21m
            """,
            List.of(
                List.of(
                    feature("count_w2", "count", null, "7m"),
                    feature("sum_i2_w2", "sum", "i2", "7m"),
                    feature("mean_big_w2", "mean", "big", "7m"),
                    feature("last_tag_w2", "last", "tag", "7m"),
                    feature("top_hour", "top_k(2)", "hour", null),
                    feature("max_dm", "max", "dm", null),
                    feature("first_ratio", "first", "ratio", null),
                    feature("q50_dm_w2", "approx_quantile(0.5)", "dm", "7m"),
                    feature("variance_ratio", "variance", "ratio", null),
                    feature("last2_hour_w2", "last_k(2)", "hour", "7m"),
                    feature("acd_tag", "approx_count_distinct", "tag", null),
                    feature("sum_big", "sum", "big", null))));
  }

  static FeatureRepository load() {
    try {
      return RepositoryLoader.load(Map.of("reference.yaml", yaml()));
    } catch (DefinitionException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
