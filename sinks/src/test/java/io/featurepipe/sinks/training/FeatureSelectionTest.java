package io.featurepipe.sinks.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.FeatureRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing and checking {@code g:f,g:*}, key columns of several entities, output names. */
class FeatureSelectionTest {
  static final FeatureRepository REPO = load();

  static FeatureRepository load() {
    try {
      return RepositoryLoader.load(Map.of("defs.yaml",
          """
          kind: source
          name: ev
          format: jsonl
          timestamp: ts
          timestamp_format: iso8601
          fields:
            - {name: ts, type: timestamp, required: true}
            - {name: user, type: string, required: true}
            - {name: shop, type: int, required: true}
            - {name: x, type: double}
          bounded: {path: "ev/*.jsonl"}
          ---
          kind: entity
          name: user
          keys: [{name: user, type: string}]
          ---
          kind: entity
          name: user_shop
          keys: [{name: user, type: string}, {name: shop, type: int}]
          ---
          kind: entity
          name: shop_as_text
          keys: [{name: shop, type: string}]
          ---
          kind: feature_group
          name: a
          entity: user
          source: ev
          keys: {user: user}
          hop: 1h
          ttl: 1d
          features:
            - {name: n, agg: count}
            - {name: total, agg: sum, column: x}
          ---
          kind: feature_group
          name: b
          entity: user_shop
          source: ev
          keys: {user: user, shop: shop}
          hop: 1h
          ttl: 1d
          features:
            - {name: n, agg: count}
            - {name: mx, agg: max, column: x}
          ---
          kind: feature_group
          name: c
          entity: shop_as_text
          source: ev
          keys: {shop: "string(shop)"}
          hop: 1h
          ttl: 1d
          features:
            - {name: k, agg: count}
          ---
          kind: feature_group
          name: online_only
          entity: user
          source: ev
          keys: {user: user}
          hop: 1h
          ttl: 1d
          features:
            - {name: z, agg: count}
          offline: false
          """));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String error(String spec) {
    return assertThrows(IllegalArgumentException.class, () -> FeatureSelection.parse(REPO, spec)).getMessage();
  }

  @Test
  void parsesFeaturesAndWildcardsInRequestOrder() {
    FeatureSelection s = FeatureSelection.parse(REPO, "b:mx, a:*");
    List<String> got = new ArrayList<>();
    s.features().forEach(f -> got.add(f.group().name() + ":" + f.feature().name() + "@" + f.index()));
    assertEquals(List.of("b:mx@1", "a:n@0", "a:total@1"), got);
    assertEquals(List.of("b", "a"), s.groups().stream().map(g -> g.name()).toList());
    assertEquals(List.of("user", "shop"), s.keyColumns().stream().map(k -> k.name()).toList());
    assertEquals(ColumnType.INT64, s.keyColumns().get(1).type());
    assertArrayEquals(new int[] {0}, s.keyPositions(REPO.group("a")));
    assertArrayEquals(new int[] {0, 1}, s.keyPositions(REPO.group("b")));
  }

  @Test
  void namesCollideOnlyWhereTheyMustAndSpineColumnsWin() {
    FeatureSelection s = FeatureSelection.parse(REPO, "a:n,a:total,b:n,b:mx");
    assertEquals(List.of("a__n", "total", "b__n", "mx"), s.columnNames(List.of("user", "shop", "t")));
    assertEquals(List.of("a__n", "a__total", "b__n", "mx"), s.columnNames(List.of("user", "total")));
    assertTrue(error2(s, List.of("total", "a__total")).contains("the spine already has a column 'a__total'"));
  }

  static String error2(FeatureSelection s, List<String> spine) {
    return assertThrows(IllegalArgumentException.class, () -> s.columnNames(spine)).getMessage();
  }

  @Test
  void badRequestsAreRefusedNamingTheItem() {
    assertTrue(error("").contains("--features is empty"));
    assertTrue(error("a").contains("'a' is not group:feature or group:*"));
    assertTrue(error("a:n,").contains("'' is not group:feature"));
    assertTrue(error("a:n:x").contains("'a:n:x' is not group:feature"));
    assertTrue(error("zz:n").contains("no feature group named 'zz'; known: a, b, c, online_only"), error("zz:n"));
    assertTrue(error("a:nope").contains("group 'a' has no feature 'nope'; it has: n, total"));
    assertTrue(error("a:n,a:*").contains("asks for a:n twice"));
    assertTrue(error("online_only:*").contains("is not stored offline"));
    assertTrue(error("b:*,c:*").contains("both key on 'shop' but as int and string"), error("b:*,c:*"));
  }
}
