package io.featurepipe.transforms.definitions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What changes a group's version (everything that changes its values) and what does not. */
class GroupVersionsTest {

  static final String SOURCE =
      """
      kind: source
      name: payments
      description: Payments.
      format: jsonl
      timestamp: event_time
      timestamp_format: iso8601
      fields:
        - {name: event_time, type: timestamp}
        - {name: user_id, type: string, required: true}
        - {name: merchant, type: string}
        - {name: amount, type: double}
      bounded: {path: "payments/*.jsonl"}
      watermark_delay: 1m
      allowed_lateness: 1h
      ---
      kind: entity
      name: user
      description: A user.
      keys: [{name: user_id, type: string}]
      """;

  static final String GROUP =
      """
      kind: feature_group
      name: spend
      description: Spend.
      entity: user
      source: payments
      keys: {user_id: user_id}
      filter: "amount != null"
      derive:
        is_large: "amount > 1000.0"
      hop: 1h
      ttl: 30d
      availability_delay: 2m
      features:
        - {name: n_1d, agg: count, window: 1d}
        - {name: spend_7d, agg: sum, column: amount, window: 7d}
        - {name: large_rate_7d, agg: mean, column: is_large, window: 7d}
        - {name: p95_7d, agg: approx_quantile(0.95), column: amount, window: 7d}
        - {name: last_amount, agg: last, column: amount, description: Latest.}
      expect:
        amount: {min: 0}
      online: true
      offline: true
      """;

  private static FeatureGroupDef load(String source, String group) throws DefinitionException {
    return RepositoryLoader.load(Map.of("a.yaml", source, "b.yaml", group))
        .groups()
        .values()
        .iterator()
        .next();
  }

  private static String version(UnaryOperator<String> onSource, UnaryOperator<String> onGroup)
      throws DefinitionException {
    return load(onSource.apply(SOURCE), onGroup.apply(GROUP)).version();
  }

  /** Replaces text that must be there. */
  private static UnaryOperator<String> replace(String from, String to) {
    return s -> {
      assertTrue(s.contains(from), () -> "test text lacks: " + from);
      return s.replace(from, to);
    };
  }

  @SafeVarargs
  private static UnaryOperator<String> chain(UnaryOperator<String>... steps) {
    return s -> {
      for (UnaryOperator<String> step : steps) {
        s = step.apply(s);
      }
      return s;
    };
  }

  private static final UnaryOperator<String> SAME = UnaryOperator.identity();

  @Test
  void canonicalTextIsPinned() throws Exception {
    FeatureRepository repo = RepositoryLoader.load(Map.of("a.yaml", SOURCE, "b.yaml", GROUP));
    FeatureGroupDef g = repo.group("spend");
    String text = GroupVersions.canonicalText(g, repo.source("payments"), repo.entity("user"));
    assertEquals(
        """
        featurepipe group version 1
        source "payments"
        source_column "amount" double
        source_column "user_id" string
        timestamp "event_time" "iso8601"
        entity_key "user_id" string
        key "user_id" "user_id"
        filter "amount != null"
        derive "is_large" "amount > 1000.0"
        hop PT1H
        ttl PT720H
        feature "n_1d" "count" - PT24H
        feature "spend_7d" "sum" "amount" PT168H
        feature "large_rate_7d" "mean" "is_large" PT168H
        feature "p95_7d" "approx_quantile(0.95)" "amount" PT168H
        feature "last_amount" "last" "amount" PT720H
        """,
        text);
    assertEquals("38bb8900", g.version()); // pinned: changing it moves every deployed group
    assertEquals(
        g.version(), GroupVersions.version(g, repo.source("payments"), repo.entity("user")));
  }

  static Stream<Arguments> unchanged() {
    return Stream.of(
        Arguments.of(
            "group description",
            SAME,
            replace("description: Spend.", "description: What users spend.")),
        Arguments.of(
            "feature description",
            SAME,
            replace("description: Latest.", "description: The last one.")),
        Arguments.of(
            "source description",
            replace("description: Payments.", "description: Card payments."),
            SAME),
        Arguments.of(
            "entity description",
            replace("description: A user.", "description: A card holder."),
            SAME),
        Arguments.of(
            "expect",
            SAME,
            replace("amount: {min: 0}", "amount: {min: 0, max: 100}\n  n_1d: {min: 0}")),
        Arguments.of("online", SAME, replace("online: true", "online: false")),
        Arguments.of("offline", SAME, replace("offline: true", "offline: false")),
        Arguments.of(
            "availability_delay",
            SAME,
            replace("availability_delay: 2m", "availability_delay: 5m")),
        Arguments.of(
            "watermark_delay", replace("watermark_delay: 1m", "watermark_delay: 3m"), SAME),
        Arguments.of(
            "allowed_lateness", replace("allowed_lateness: 1h", "allowed_lateness: 6h"), SAME),
        Arguments.of(
            "type of a column the group does not read",
            replace("{name: merchant, type: string}", "{name: merchant, type: int}"),
            SAME),
        Arguments.of(
            "a column the group does not read",
            replace(
                "  - {name: amount, type: double}",
                "  - {name: amount, type: double}\n  - {name: note, type: string}"),
            SAME),
        Arguments.of(
            "source format and reading",
            chain(
                replace("format: jsonl", "format: csv"),
                replace(
                    "bounded: {path: \"payments/*.jsonl\"}",
                    "bounded: {path: \"p/*.csv\"}\nunbounded: {kafka: {bootstrap: b, topic: t}}")),
            SAME),
        Arguments.of(
            "same durations written differently",
            SAME,
            chain(
                replace("hop: 1h", "hop: 60m"),
                replace("ttl: 30d", "ttl: 720h"),
                replace("window: 7d}\n  - {name: large", "window: 1w}\n  - {name: large"))),
        Arguments.of(
            "a window-less feature given the ttl as its window",
            SAME,
            replace(
                "column: amount, description: Latest.}",
                "column: amount, window: 30d, description: Latest.}")),
        Arguments.of(
            "layout, comments and key order",
            SAME,
            chain(
                replace("keys: {user_id: user_id}\n", "# keys\nkeys:\n  user_id: user_id\n"),
                replace("hop: 1h\nttl: 30d\n", "ttl: 30d\nhop: 1h\n"))),
        Arguments.of("group name", SAME, replace("name: spend\n", "name: spend2\n")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unchanged")
  void doesNotChangeTheVersion(
      String what, UnaryOperator<String> onSource, UnaryOperator<String> onGroup) throws Exception {
    assertEquals(version(SAME, SAME), version(onSource, onGroup));
  }

  static Stream<Arguments> changed() {
    return Stream.of(
        Arguments.of(
            "source name",
            replace("name: payments", "name: payments2"),
            replace("source: payments", "source: payments2")),
        Arguments.of(
            "type of a column the group reads",
            replace("{name: amount, type: double}", "{name: amount, type: int}"),
            SAME),
        Arguments.of(
            "timestamp format",
            replace("timestamp_format: iso8601", "timestamp_format: \"yyyy-MM-dd'T'HH:mm:ss\""),
            SAME),
        Arguments.of(
            "timestamp column",
            chain(
                replace("timestamp: event_time", "timestamp: ts"),
                replace("{name: event_time,", "{name: ts,")),
            SAME),
        Arguments.of(
            "entity key name",
            replace("keys: [{name: user_id,", "keys: [{name: uid,"),
            replace("keys: {user_id: user_id}", "keys: {uid: user_id}")),
        Arguments.of(
            "key expression",
            SAME,
            replace("keys: {user_id: user_id}", "keys: {user_id: \"user_id + '-x'\"}")),
        Arguments.of(
            "filter",
            SAME,
            replace("filter: \"amount != null\"", "filter: \"amount != null && amount > 0.0\"")),
        Arguments.of("no filter", SAME, replace("filter: \"amount != null\"\n", "")),
        Arguments.of(
            "derive expression", SAME, replace("\"amount > 1000.0\"", "\"amount > 500.0\"")),
        Arguments.of(
            "derived column name",
            SAME,
            chain(
                replace("is_large: \"", "is_big: \""),
                replace("column: is_large", "column: is_big"))),
        Arguments.of(
            "hop",
            SAME,
            chain(replace("hop: 1h", "hop: 2h"), replace("window: 1d}", "window: 2d}"))),
        Arguments.of("ttl", SAME, replace("ttl: 30d", "ttl: 14d")),
        Arguments.of(
            "window",
            SAME,
            replace(
                "{name: n_1d, agg: count, window: 1d}", "{name: n_1d, agg: count, window: 2d}")),
        Arguments.of(
            "aggregation", SAME, replace("agg: sum, column: amount", "agg: max, column: amount")),
        Arguments.of("quantile", SAME, replace("approx_quantile(0.95)", "approx_quantile(0.9)")),
        Arguments.of(
            "feature column",
            SAME,
            replace("agg: sum, column: amount", "agg: sum, column: is_large")),
        Arguments.of("feature name", SAME, replace("name: n_1d", "name: n_24h")),
        Arguments.of(
            "feature added",
            SAME,
            replace("features:\n", "features:\n  - {name: n_7d, agg: count, window: 7d}\n")),
        Arguments.of(
            "feature order",
            SAME,
            chain(
                replace("  - {name: n_1d, agg: count, window: 1d}\n", ""),
                replace(
                    "  - {name: last_amount",
                    "  - {name: n_1d, agg: count, window: 1d}\n  - {name: last_amount"))),
        Arguments.of(
            "custom logic",
            SAME,
            replace(
                "hop: 1h",
                "custom: {class: "
                    + HourOfDayFunction.class.getName()
                    + ", columns: {hour: int}}\nhop: 1h")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("changed")
  void changesTheVersion(String what, UnaryOperator<String> onSource, UnaryOperator<String> onGroup)
      throws Exception {
    assertNotEquals(version(SAME, SAME), version(onSource, onGroup));
  }

  @Test
  void customLogicReadsEverySourceColumn() throws Exception {
    UnaryOperator<String> custom =
        replace(
            "hop: 1h",
            "custom: {class: "
                + HourOfDayFunction.class.getName()
                + ", columns: {hour: int}}\nhop: 1h");
    String withCustom = version(SAME, custom);
    // Java can read any column, so even one no expression names is part of the version ...
    assertNotEquals(
        withCustom,
        version(replace("{name: merchant, type: string}", "{name: merchant, type: int}"), custom));
    // ... and so are the custom columns.
    assertNotEquals(
        withCustom, version(SAME, chain(custom, replace("{hour: int}", "{hour: double}"))));
    assertEquals(
        withCustom, version(SAME, chain(custom, replace("description: Spend.", "description: x"))));
  }
}
