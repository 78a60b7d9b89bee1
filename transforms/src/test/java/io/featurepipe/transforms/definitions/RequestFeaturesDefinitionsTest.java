package io.featurepipe.transforms.definitions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.Location;
import io.featurepipe.transforms.model.RequestFeatureDef;
import io.featurepipe.transforms.model.RequestFeaturesDef;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kind: request_features}: a valid definition loads into the model with a version that
 * follows its expressions and the groups it reads; each broken one gives exactly one error at its
 * file, line, column and field.
 */
class RequestFeaturesDefinitionsTest {

  static final String BASE =
      """
      kind: source
      name: payments
      format: jsonl
      timestamp: event_time
      timestamp_format: iso8601
      fields:
        - {name: event_time, type: timestamp}
        - {name: user_id, type: string, required: true}
        - {name: merchant_id, type: string}
        - {name: amount, type: double}
      bounded: {path: "payments/*.jsonl"}
      ---
      kind: entity
      name: user
      keys: [{name: user_id, type: string}]
      ---
      kind: entity
      name: merchant
      keys: [{name: merchant_id, type: string}]
      ---
      kind: feature_group
      name: spend
      entity: user
      source: payments
      keys: {user_id: user_id}
      hop: 1h
      features:
        - {name: n_1d, agg: count, window: 1d}
        - {name: mean_1d, agg: mean, column: amount, window: 1d}
        - {name: top_1d, agg: top_k(2), column: amount, window: 1d}
      ---
      kind: feature_group
      name: shops
      entity: merchant
      source: payments
      keys: {merchant_id: merchant_id}
      hop: 1h
      features:
        - {name: n_1d, agg: count, window: 1d}
      ---
      kind: feature_group
      name: archive
      entity: user
      source: payments
      keys: {user_id: user_id}
      hop: 1d
      online: false
      features:
        - {name: n_7d, agg: count, window: 7d}
      """;

  static final String VALID =
      """
      kind: request_features
      name: checkout
      description: The payment being scored, against the user's habits.
      request:
        - {name: amount, type: double, required: true}
        - {name: channel, type: string}
      reads: [spend, shops]
      features:
        - name: ratio_to_mean
          description: This amount over the day's mean.
          expr: "spend.mean_1d == null ? 0.0 : amount / spend.mean_1d"
        - {name: busy, expr: "shops.n_1d > 100 && spend.n_1d > 0"}
        - {name: online, expr: "channel != null && channel != 'pos'"}
        - {name: big_and_online, expr: "ratio_to_mean > 3.0 && online"}
        - {name: who, expr: "user_id + '@' + merchant_id"}
      """;

  private static FeatureRepository load(String base, String yaml) throws DefinitionException {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("base.yaml", base);
    files.put("case.yaml", yaml);
    return RepositoryLoader.load(files);
  }

  @Test
  void loadsRequestFieldsReadsAndTypedExpressions() throws Exception {
    FeatureRepository repo = load(BASE, VALID);
    RequestFeaturesDef r = repo.requestFeatures("checkout");
    assertEquals("The payment being scored, against the user's habits.", r.description());
    assertEquals(
        List.of(
            new Field("amount", ColumnType.DOUBLE, true, new Location("case.yaml", 5, 12)),
            new Field("channel", ColumnType.STRING, false, new Location("case.yaml", 6, 12))),
        r.fields());
    assertEquals(List.of("spend", "shops"), r.reads());
    assertEquals(
        List.of(
            new RequestFeatureDef("ratio_to_mean", "This amount over the day's mean.",
                "spend.mean_1d == null ? 0.0 : amount / spend.mean_1d", ColumnType.DOUBLE, new Location("case.yaml", 9, 11)),
            new RequestFeatureDef("busy", null, "shops.n_1d > 100 && spend.n_1d > 0", ColumnType.BOOL, new Location("case.yaml", 12, 12)),
            new RequestFeatureDef("online", null, "channel != null && channel != 'pos'", ColumnType.BOOL, new Location("case.yaml", 13, 12)),
            new RequestFeatureDef("big_and_online", null, "ratio_to_mean > 3.0 && online", ColumnType.BOOL, new Location("case.yaml", 14, 12)),
            new RequestFeatureDef("who", null, "user_id + '@' + merchant_id", ColumnType.STRING, new Location("case.yaml", 15, 12))),
        r.features());
    assertTrue(r.version().matches("[0-9a-f]{8}"), r.version());
    assertEquals(new Location("case.yaml", 2, 7), r.location());
    // a repository without the kind has none; old three-part constructions still work
    assertEquals(Map.of(), load(BASE, "kind: entity\nname: other\nkeys: [{name: k, type: int}]\n").requestFeatures());
    assertEquals(Map.of(), new FeatureRepository(repo.sources(), repo.entities(), repo.groups()).requestFeatures());
  }

  @Test
  void theVersionFollowsExpressionsAndTheGroupsReadButNotDescriptions() throws Exception {
    String v = load(BASE, VALID).requestFeatures("checkout").version();
    assertEquals(v, load(BASE, VALID.replace("This amount over", "The amount over")).requestFeatures("checkout").version());
    assertNotEquals(v, load(BASE, VALID.replace("> 3.0", "> 4.0")).requestFeatures("checkout").version());
    assertNotEquals(v, load(BASE, VALID.replace("required: true", "required: false")).requestFeatures("checkout").version());
    assertNotEquals(v, load(BASE.replace("window: 1d}\n  - {name: mean_1d", "window: 2d}\n  - {name: mean_1d"), VALID)
        .requestFeatures("checkout").version(), "a new version of a group read");
  }

  record Case(String name, String yaml, int line, int column, String field, String fragment) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case c(String name, String yaml, int line, int column, String field, String fragment) {
    return new Case(name, yaml, line, column, field, fragment);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reportsTheMistakeWhereItIs(Case c) {
    DefinitionException e = assertThrows(DefinitionException.class, () -> load(BASE, c.yaml()));
    assertEquals(1, e.errors().size(), () -> "expected one error, got:\n" + e.getMessage());
    DefinitionError error = e.errors().get(0);
    assertEquals(new Location("case.yaml", c.line(), c.column()), error.location(), error::toString);
    assertEquals("request_features", error.kind(), error::toString);
    assertEquals(c.field(), error.field(), error::toString);
    assertTrue(error.message().contains(c.fragment()), () -> "message was: " + error.message());
  }

  static Stream<Case> cases() {
    return Stream.of(
        c("name of a feature group", "kind: request_features\nname: spend\nreads: [spend]\nfeatures: [{name: x, expr: '1'}]\n",
            2, 7, "name", "'spend' is already the name of a feature group"),
        c("unknown key", "kind: request_features\nname: r\nreads: [spend]\nfeature: [{name: x, expr: '1'}]\n",
            4, 1, "feature", "unknown key 'feature'; did you mean 'features'?"),
        c("missing reads", "kind: request_features\nname: r\nfeatures: [{name: x, expr: '1'}]\n",
            1, 1, "reads", "missing required key 'reads'"),
        c("empty reads", "kind: request_features\nname: r\nreads: []\nfeatures: [{name: x, expr: '1'}]\n",
            3, 8, "reads", "at least one feature group"),
        c("unknown group", "kind: request_features\nname: r\nreads: [spnd]\nfeatures: [{name: x, expr: '1'}]\n",
            3, 9, "reads[0]", "unknown feature group 'spnd'; did you mean 'spend'?"),
        c("group read twice", "kind: request_features\nname: r\nreads: [spend, spend]\nfeatures: [{name: x, expr: '1'}]\n",
            3, 16, "reads[1]", "is read twice"),
        c("offline-only group", "kind: request_features\nname: r\nreads: [archive]\nfeatures: [{name: x, expr: '1'}]\n",
            3, 9, "reads[0]", "'archive' is not online"),
        c("bad field type", "kind: request_features\nname: r\nrequest: [{name: a, type: decimal}]\nreads: [spend]\nfeatures: [{name: x, expr: '1'}]\n",
            3, 27, "request[0].type", "unknown column type 'decimal'"),
        c("field collides with a key column", "kind: request_features\nname: r\nrequest: [{name: user_id, type: string}]\nreads: [spend]\nfeatures: [{name: x, expr: '1'}]\n",
            3, 18, "request[0].name", "collides with the key column 'user_id' of entity 'user'"),
        c("missing features", "kind: request_features\nname: r\nreads: [spend]\n",
            1, 1, "features", "missing required key 'features'"),
        c("feature name invalid", "kind: request_features\nname: r\nreads: [spend]\nfeatures: [{name: Ratio, expr: '1'}]\n",
            4, 19, "features[0].name", "invalid name 'Ratio'"),
        c("feature name collides with a request field", "kind: request_features\nname: r\nrequest: [{name: a, type: int}]\nreads: [spend]\nfeatures: [{name: a, expr: '1'}]\n",
            5, 19, "features[0].name", "feature 'a' collides with the request field 'a'"),
        c("duplicate feature", "kind: request_features\nname: r\nreads: [spend]\nfeatures: [{name: x, expr: '1'}, {name: x, expr: '2'}]\n",
            4, 41, "features[1].name", "feature 'x' collides with the feature 'x' (defined above)"),
        c("missing expression", "kind: request_features\nname: r\nreads: [spend]\nfeatures: [{name: x}]\n",
            4, 12, "features[0].expr", "missing required key 'expr'"),
        c("bad CEL", "kind: request_features\nname: r\nreads: [spend]\nfeatures: [{name: x, expr: 'spend.n_1d +'}]\n",
            4, 28, "features[0].expr", "invalid expression:"),
        c("unknown feature of a read group", "kind: request_features\nname: r\nreads: [spend]\nfeatures: [{name: x, expr: 'spend.n_1dd > 1'}]\n",
            4, 28, "features[0].expr", "feature group 'spend' has no feature 'n_1dd'; did you mean 'n_1d'?"),
        c("a list feature", "kind: request_features\nname: r\nreads: [spend]\nfeatures: [{name: x, expr: 'size(spend.top_1d) > 1'}]\n",
            4, 28, "features[0].expr", "'spend.top_1d' is a list (top_k(2)): request expressions can use scalar features only"),
        c("a group not read", "kind: request_features\nname: r\nreads: [spend]\nfeatures: [{name: x, expr: 'shops.n_1d > 1'}]\n",
            4, 28, "features[0].expr", "'shops' is a feature group this definition does not read: add it to reads"),
        c("misspelled request field", "kind: request_features\nname: r\nrequest: [{name: amount, type: double}]\nreads: [spend]\nfeatures: [{name: x, expr: 'amont > 1.0'}]\n",
            5, 28, "features[0].expr", "undeclared reference to 'amont'; did you mean 'amount'?"),
        c("no column type", "kind: request_features\nname: r\nreads: [spend]\nfeatures: [{name: x, expr: '[1, 2]'}]\n",
            4, 28, "features[0].expr", "has no column type"),
        c("a later feature after a broken one is not checked again",
            "kind: request_features\nname: r\nreads: [spend]\nfeatures: [{name: x, expr: '1 +'}, {name: y, expr: 'x + 1'}]\n",
            4, 28, "features[0].expr", "invalid expression:"));
  }

  @Test
  void aBrokenGroupGivesNoSecondErrorInTheRequestFeaturesThatReadIt() {
    String broken = BASE.replace("- {name: n_1d, agg: count, window: 1d}\n  - {name: mean_1d", "- {name: n_1d, agg: count, window: 90m}\n  - {name: mean_1d");
    DefinitionException e = assertThrows(DefinitionException.class, () -> load(broken, VALID));
    assertEquals(1, e.errors().size(), e::getMessage);
    assertEquals("base.yaml", e.errors().get(0).location().file());
  }
}
