package io.featurepipe.transforms.definitions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.featurepipe.transforms.model.Location;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several mistakes at once, no cascades of errors from one mistake, and how errors read. */
class RepositoryLoaderErrorsTest {

  private static List<String> errors(Map<String, String> files) {
    DefinitionException e =
        assertThrows(DefinitionException.class, () -> RepositoryLoader.load(files));
    List<String> lines = e.errors().stream().map(DefinitionError::toString).toList();
    assertEquals(String.join("\n", lines), e.getMessage());
    return lines;
  }

  @Test
  void reportsEveryMistakeOfEveryFileInOrder() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(
        "sources.yaml",
        """
        kind: source
        name: payments
        format: jsonl
        timestamp: event_time
        timestamp_format: iso8601
        fields:
          - {name: event_time, type: timestamp}
          - {name: user_id, type: string}
          - {name: amount, type: double}
        bounded: {path: "payments/*.jsonl"}
        watermark_delay: 1 minute
        ---
        kind: entity
        name: user
        keys: [{name: user_id, type: string}]
        """);
    files.put(
        "groups.yaml",
        """
        kind: feature_group
        name: spend
        entity: user
        source: payments
        keys: {user_id: user_id}
        filter: "amount >"
        hop: 2h
        features:
          - {name: n, agg: count, window: 1d}
          - {name: s, agg: sum, column: amont, window: 7h}
          - {name: n, agg: medain, column: amount, window: 1d}
        ---
        kind: feature_group
        name: spend
        entity: user
        source: payments
        keys: {user_id: user_id}
        hop: 1h
        features:
          - {name: n, agg: count, window: 1d}
        """);
    files.put("z.yaml", "kind: entity\nname: [broken\n");
    assertEquals(
        List.of(
            "groups.yaml:6:9: feature_group 'spend' field 'filter': invalid expression:"
                + " <input>:1:9: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!',"
                + " 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES,"
                + " IDENTIFIER}",
            "groups.yaml:10:33: feature_group 'spend' field 'features[1].column': unknown column"
                + " 'amont' (not a source, derived or custom column); did you mean 'amount'?",
            "groups.yaml:10:48: feature_group 'spend' field 'features[1].window': window 7h is not"
                + " a multiple of the hop 2h",
            "groups.yaml:11:12: feature_group 'spend' field 'features[2].name': duplicate feature"
                + " 'n' (first at line 9)",
            "groups.yaml:11:20: feature_group 'spend' field 'features[2].agg': unknown aggregation"
                + " 'medain'; expected one of count, sum, mean, min, max, first, last, stddev,"
                + " variance, approx_count_distinct, approx_quantile, top_k, last_k; did you mean"
                + " 'mean'?",
            "groups.yaml:14:7: feature_group 'spend' field 'name': already defined at"
                + " groups.yaml:2:7",
            "sources.yaml:11:18: source 'payments' field 'watermark_delay': '1 minute' is not a"
                + " duration: write an integer and a unit (ms, s, m, h, d or w), e.g. 90s or 1h",
            "z.yaml:3:1: YAML syntax error: expected ',' or ']', but got <stream end> (while"
                + " parsing a flow sequence)"),
        errors(files));
  }

  @Test
  void aBrokenSourceFieldDoesNotCascadeIntoItsGroups() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(
        "a.yaml",
        """
        kind: source
        name: payments
        format: jsonl
        timestamp: event_time
        timestamp_format: iso8601
        fields:
          - {name: event_time, type: timestamp}
          - {name: user_id, type: string}
          - {name: amount, type: dubble}
        bounded: {path: "payments/*.jsonl"}
        ---
        kind: entity
        name: user
        keys: [{name: user_id, type: strin}]
        ---
        kind: feature_group
        name: spend
        entity: user
        source: payments
        keys: {user_id: user_id}
        filter: "amount > 0.0"
        hop: 1h
        features:
          - {name: s, agg: sum, column: amount, window: 1d}
          - {name: w, agg: sum, column: amount, window: 90m}
        """);
    assertEquals(
        List.of(
            "a.yaml:9:26: source 'payments' field 'fields[2].type': unknown column type 'dubble';"
                + " expected string, int, double, bool or timestamp; did you mean 'double'?",
            "a.yaml:14:30: entity 'user' field 'keys[0].type': unknown column type 'strin';"
                + " expected string, int, double, bool or timestamp; did you mean 'string'?",
            "a.yaml:25:49: feature_group 'spend' field 'features[1].window': window 90m is not a"
                + " multiple of the hop 1h"),
        errors(files));
  }

  @Test
  void aBrokenDerivedColumnDoesNotCascadeIntoItsUsers() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(
        "a.yaml",
        """
        kind: source
        name: payments
        format: jsonl
        timestamp: event_time
        timestamp_format: iso8601
        fields:
          - {name: event_time, type: timestamp}
          - {name: user_id, type: string}
          - {name: amount, type: double}
        bounded: {path: "payments/*.jsonl"}
        ---
        kind: entity
        name: user
        keys: [{name: user_id, type: string}]
        ---
        kind: feature_group
        name: spend
        entity: user
        source: payments
        keys: {user_id: user_id}
        derive:
          cents: "amount * 100"
          big: "cents > 100000.0"
        hop: 1h
        features:
          - {name: s, agg: sum, column: cents, window: 1d}
        expect:
          cents: {min: 0}
        """);
    assertEquals(
        List.of(
            "a.yaml:22:10: feature_group 'spend' field 'derive.cents': invalid expression:"
                + " <input>:1:8: found no matching overload for '_*_' applied to '(wrapper(double),"
                + " int)'"),
        errors(files));
  }

  @Test
  void anEmptyOrMissingFolderIsAnError(@TempDir Path dir) throws Exception {
    DefinitionException empty =
        assertThrows(DefinitionException.class, () -> RepositoryLoader.load(dir));
    assertEquals(1, empty.errors().size());
    assertEquals(new Location(dir.toString(), 0, 0), empty.errors().get(0).location());
    assertEquals(
        dir + ": no definitions: the folder holds no *.yaml or *.yml file", empty.getMessage());

    Path missing = dir.resolve("missing");
    DefinitionException e =
        assertThrows(DefinitionException.class, () -> RepositoryLoader.load(missing));
    assertEquals(
        missing
            + ": cannot read the repository folder: java.nio.file.NoSuchFileException: "
            + missing
            + ": not a folder",
        e.getMessage());
  }

  @Test
  void filesAreFoundRecursivelyAndNamedRelativeToTheFolder(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(
        dir.resolve("sub/e.yml"),
        "kind: entity\nname: user\nkeys: [{name: user_id, type: float}]\n");
    Files.writeString(dir.resolve("notes.txt"), "kind: nonsense\n");
    DefinitionException e =
        assertThrows(DefinitionException.class, () -> RepositoryLoader.load(dir));
    assertEquals(
        "sub/e.yml:3:30: entity 'user' field 'keys[0].type': an entity key must be string or int,"
            + " not double",
        e.getMessage());
  }

  @Test
  void emptyDocumentsAreSkipped() throws Exception {
    var repo =
        RepositoryLoader.load(
            Map.of(
                "e.yaml",
                "---\n"
                    + "kind: entity\n"
                    + "name: user\n"
                    + "keys: [{name: user_id, type: string}]\n"
                    + "---\n"
                    + "# nothing here\n"));
    assertEquals(List.of("user"), List.copyOf(repo.entities().keySet()));
  }

  @Test
  void errorsReadAsFileLineColumnDefinitionFieldMessage() {
    Location at = new Location("payments.yaml", 14, 7);
    assertEquals(
        "payments.yaml:14:7: feature_group 'user_spend' field 'features[2].window': window 7h is"
            + " not a multiple of the hop 2h",
        new DefinitionError(
                at,
                "feature_group",
                "user_spend",
                "features[2].window",
                "window 7h is not a multiple of the hop 2h")
            .toString());
    assertEquals(
        "payments.yaml:14:7: source field 'name': missing required key 'name'",
        new DefinitionError(at, "source", null, "name", "missing required key 'name'").toString());
    assertEquals(
        "payments.yaml:14:7: entity 'user': oops",
        new DefinitionError(at, "entity", "user", null, "oops").toString());
    assertEquals(
        "payments.yaml:14:7: field 'kind': missing required key 'kind'",
        new DefinitionError(at, null, null, "kind", "missing required key 'kind'").toString());
    assertEquals(
        "payments.yaml:14:7: YAML syntax error: x",
        new DefinitionError(at, null, null, null, "YAML syntax error: x").toString());
  }
}
