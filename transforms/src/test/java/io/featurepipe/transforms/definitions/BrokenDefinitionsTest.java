package io.featurepipe.transforms.definitions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.model.Location;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One broken definition per case, added to a valid base repository: the loader reports exactly one
 * error, at the exact file, line, column and field, with the expected message.
 */
class BrokenDefinitionsTest {
  /** An Avro source whose schema is the file {@code clicks.avsc} beside it (the cases give its text). */
  private static final String CLICKS_AVSC_SOURCE =
      """
      kind: source
      name: clicks
      format: avro
      timestamp: ts
      timestamp_format: epoch_millis
      avro_schema: clicks.avsc
      bounded: {path: "clicks/*.avro"}
      """;

  /** A valid source and entity every case can use. */
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
        - {name: merchant, type: string}
        - {name: amount, type: double}
        - {name: items, type: int}
      bounded: {path: "payments/*.jsonl"}
      ---
      kind: entity
      name: user
      keys: [{name: user_id, type: string}]
      """;

  /**
   * A broken case.
   *
   * @param yaml the content of {@code case.yaml}
   * @param extra other files of the repository (Avro schemas)
   * @param field the expected field, or null
   * @param fragment a part of the expected message
   */
  record Case(
      String name,
      String yaml,
      Map<String, String> extra,
      int line,
      int column,
      String field,
      String fragment) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case c(String name, String yaml, int line, int column, String field, String fragment) {
    return new Case(name, yaml, Map.of(), line, column, field, fragment);
  }

  static Case c(
      String name,
      String yaml,
      Map<String, String> extra,
      int line,
      int column,
      String field,
      String fragment) {
    return new Case(name, yaml, extra, line, column, field, fragment);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reportsTheMistakeWhereItIs(Case c) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("base.yaml", BASE);
    files.put("case.yaml", c.yaml());
    files.putAll(c.extra());
    DefinitionException e =
        assertThrows(DefinitionException.class, () -> RepositoryLoader.load(files));
    assertEquals(1, e.errors().size(), () -> "expected one error, got:\n" + e.getMessage());
    DefinitionError error = e.errors().get(0);
    assertEquals(
        new Location("case.yaml", c.line(), c.column()), error.location(), error::toString);
    assertEquals(c.field(), error.field(), error::toString);
    assertTrue(error.message().contains(c.fragment()), () -> "message was: " + error.message());
    assertEquals(error.toString(), e.getMessage());
  }

  static Stream<Case> cases() {
    return Stream.of(
        // ---- documents -------------------------------------------------------------------------
        c(
            "yaml syntax error",
            """
            kind: source
            name: [clicks
            format: jsonl
            """,
            3,
            7,
            null,
            "YAML syntax error: expected ',' or ']', but got :"),
        c(
            "document not a mapping",
            """
            - kind: source
              name: clicks
            """,
            1,
            1,
            null,
            "a definition must be a mapping with a kind, not a list"),
        c(
            "missing kind",
            """
            name: clicks
            format: jsonl
            """,
            1,
            1,
            "kind",
            "missing required key 'kind'"),
        c(
            "unknown kind",
            """
            kind: feature-group
            name: g
            """,
            1,
            7,
            "kind",
            "unknown kind 'feature-group'; expected source, entity, feature_group or request_features; did you mean"
                + " 'feature_group'?"),
        c(
            "unknown key with a suggestion",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            ttl: 1d
            features:
              - {name: n, agg: count, windw: 1d}
            """,
            9,
            27,
            "features[0].windw",
            "unknown key 'windw'; did you mean 'window'?"),
        c(
            "misspelled required key, reported once",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hopp: 1h
            features:
              - {name: total, agg: sum, column: amount, window: 1d}
            """,
            6,
            1,
            "hopp",
            "unknown key 'hopp'; did you mean 'hop'?"),
        c(
            "misspelled column key, reported once",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: total, agg: sum, colum: amount, window: 1d}
            """,
            8,
            29,
            "features[0].colum",
            "unknown key 'colum'; did you mean 'column'?"),
        c(
            "unknown key without a suggestion",
            """
            kind: entity
            name: account
            owner: finance
            keys: [{name: account_id, type: string}]
            """,
            3,
            1,
            "owner",
            "unknown key 'owner'; known keys: kind, name, description, keys"),
        c(
            "duplicate key",
            """
            kind: entity
            name: account
            keys: [{name: account_id, type: string}]
            name: account2
            """,
            4,
            1,
            "name",
            "duplicate key 'name' (first at line 2)"),
        c(
            "missing required key",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            features:
              - {name: n, agg: count, window: 1d}
            """,
            1,
            1,
            "hop",
            "missing required key 'hop'"),
        c(
            "wrong value shape: a mapping for a list",
            """
            kind: entity
            name: account
            keys: {name: account_id, type: string}
            """,
            3,
            7,
            "keys",
            "expected a list, got a mapping"),
        c(
            "wrong value shape: not a boolean",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            online: maybe
            """,
            9,
            9,
            "online",
            "expected true or false, got 'maybe'"),
        c(
            "invalid name",
            """
            kind: entity
            name: Account-Id
            keys: [{name: account_id, type: string}]
            """,
            2,
            7,
            "name",
            "invalid name 'Account-Id'"),
        c(
            "duplicate name across files",
            """
            kind: entity
            name: user
            keys: [{name: user_id, type: string}]
            """,
            2,
            7,
            "name",
            "already defined at base.yaml:15:7"),
        // ---- sources ---------------------------------------------------------------------------
        c(
            "unknown column type",
            """
            kind: source
            name: clicks
            format: jsonl
            timestamp: ts
            timestamp_format: iso8601
            fields:
              - {name: ts, type: timestamp}
              - {name: page, type: strng}
            bounded: {path: "clicks/*.jsonl"}
            """,
            8,
            24,
            "fields[1].type",
            "unknown column type 'strng'; expected string, int, double, bool or timestamp; did you"
                + " mean 'string'?"),
        c(
            "invalid column name",
            """
            kind: source
            name: clicks
            format: jsonl
            timestamp: ts
            timestamp_format: iso8601
            fields:
              - {name: ts, type: timestamp}
              - {name: 2nd_page, type: string}
            bounded: {path: "clicks/*.jsonl"}
            """,
            8,
            12,
            "fields[1].name",
            "invalid column name '2nd_page'"),
        c(
            "timestamp column missing",
            """
            kind: source
            name: clicks
            format: jsonl
            timestamp: evt_time
            timestamp_format: iso8601
            fields:
              - {name: event_time, type: timestamp}
            bounded: {path: "clicks/*.jsonl"}
            """,
            4,
            12,
            "timestamp",
            "timestamp column 'evt_time' is not a field of the source; did you mean 'event_time'?"),
        c(
            "timestamp column not a timestamp",
            """
            kind: source
            name: clicks
            format: jsonl
            timestamp: ts
            timestamp_format: epoch_millis
            fields:
              - {name: ts, type: long}
            bounded: {path: "clicks/*.jsonl"}
            """,
            4,
            12,
            "timestamp",
            "timestamp column 'ts' is int, not timestamp"),
        c(
            "invalid timestamp_format pattern",
            """
            kind: source
            name: clicks
            format: csv
            timestamp: ts
            timestamp_format: "yyyy-MM-ddTHH:mm"
            fields:
              - {name: ts, type: timestamp}
            bounded: {path: "clicks/*.csv"}
            """,
            5,
            19,
            "timestamp_format",
            "invalid timestamp_format 'yyyy-MM-ddTHH:mm': not one of iso8601, epoch_seconds,"
                + " epoch_millis, epoch_micros and not a valid DateTimeFormatter pattern (Unknown"
                + " pattern letter: T)"),
        c(
            "timestamp_format misspelled",
            """
            kind: source
            name: clicks
            format: jsonl
            timestamp: ts
            timestamp_format: iso8610
            fields:
              - {name: ts, type: timestamp}
            bounded: {path: "clicks/*.jsonl"}
            """,
            5,
            19,
            "timestamp_format",
            "did you mean 'iso8601'?"),
        c(
            "timestamp_format pattern without a time of day",
            """
            kind: source
            name: clicks
            format: csv
            timestamp: ts
            timestamp_format: yyyy-MM-dd
            fields:
              - {name: ts, type: timestamp}
            bounded: {path: "clicks/*.csv"}
            """,
            5,
            19,
            "timestamp_format",
            "the pattern does not read a point in time"),
        c(
            "fields and avro_schema both",
            """
            kind: source
            name: clicks
            format: avro
            timestamp: ts
            timestamp_format: epoch_millis
            fields:
              - {name: ts, type: timestamp}
            avro_schema: clicks.avsc
            bounded: {path: "clicks/*.avro"}
            """,
            8,
            14,
            "avro_schema",
            "give fields or avro_schema, not both"),
        c(
            "neither fields nor avro_schema",
            """
            kind: source
            name: clicks
            format: avro
            timestamp: ts
            timestamp_format: epoch_millis
            bounded: {path: "clicks/*.avro"}
            """,
            1,
            1,
            "fields",
            "missing required key 'fields' (or 'avro_schema')"),
        c(
            "avro_schema unreadable",
            """
            kind: source
            name: clicks
            format: avro
            timestamp: ts
            timestamp_format: epoch_millis
            avro_schema: schemas/clicks.avsc
            bounded: {path: "clicks/*.avro"}
            """,
            6,
            14,
            "avro_schema",
            "cannot read avro_schema 'schemas/clicks.avsc': no such file"),
        c(
            "avro_schema not JSON",
            CLICKS_AVSC_SOURCE,
            Map.of("clicks.avsc", "{\"type\": \"record\", "),
            6,
            14,
            "avro_schema",
            "clicks.avsc: not valid JSON"),
        c(
            "avro_schema with more after its object",
            CLICKS_AVSC_SOURCE,
            Map.of("clicks.avsc", "{\"type\": \"record\", \"name\": \"c\", \"fields\": []} {}"),
            6,
            14,
            "avro_schema",
            "clicks.avsc: not valid JSON: more after the object"),
        c(
            "avro_schema with an unsupported type",
            CLICKS_AVSC_SOURCE,
            Map.of(
                "clicks.avsc",
                """
                {"type": "record", "name": "Click", "fields": [
                  {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}},
                  {"name": "tags", "type": {"type": "array", "items": "string"}}
                ]}
                """),
            6,
            14,
            "avro_schema",
            "clicks.avsc: field 'tags' has unsupported Avro type"
                + " {\"type\":\"array\",\"items\":\"string\"}"),
        c(
            "avro_schema outside the repository",
            """
            kind: source
            name: clicks
            format: avro
            timestamp: ts
            timestamp_format: epoch_millis
            avro_schema: ../clicks.avsc
            bounded: {path: "clicks/*.avro"}
            """,
            6,
            14,
            "avro_schema",
            "must be a path inside the repository folder"),
        c(
            "csv options on a non-csv source",
            """
            kind: source
            name: clicks
            format: jsonl
            timestamp: ts
            timestamp_format: iso8601
            fields:
              - {name: ts, type: timestamp}
            csv: {header: false}
            bounded: {path: "clicks/*.jsonl"}
            """,
            8,
            6,
            "csv",
            "csv options apply only to format csv, not jsonl"),
        c(
            "csv delimiter of two characters",
            """
            kind: source
            name: clicks
            format: csv
            timestamp: ts
            timestamp_format: iso8601
            fields:
              - {name: ts, type: timestamp}
            csv: {delimiter: ";;"}
            bounded: {path: "clicks/*.csv"}
            """,
            8,
            18,
            "csv.delimiter",
            "delimiter must be one character, not ';;'"),
        c(
            "unknown format",
            """
            kind: source
            name: clicks
            format: json
            timestamp: ts
            timestamp_format: iso8601
            fields:
              - {name: ts, type: timestamp}
            bounded: {path: "clicks/*.json"}
            """,
            3,
            9,
            "format",
            "unknown format 'json'; expected csv, jsonl, avro, parquet; did you mean 'jsonl'?"),
        c(
            "bounded kind that is unbounded",
            """
            kind: source
            name: clicks
            format: jsonl
            timestamp: ts
            timestamp_format: iso8601
            fields:
              - {name: ts, type: timestamp}
            bounded: {kafka: {bootstrap: "localhost:9092", topic: clicks}}
            """,
            8,
            11,
            "bounded.kafka",
            "unknown key 'kafka'; known keys: path, jdbc"),
        c(
            "unknown io setting",
            """
            kind: source
            name: clicks
            format: jsonl
            timestamp: ts
            timestamp_format: iso8601
            fields:
              - {name: ts, type: timestamp}
            bounded: {path: "clicks/*.jsonl"}
            unbounded: {kafka: {bootstrap: "localhost:9092", topic: clicks, groupid: g}}
            """,
            9,
            65,
            "unbounded.kafka.groupid",
            "unknown key 'groupid'; did you mean 'group_id'?"),
        c(
            "missing io setting",
            """
            kind: source
            name: clicks
            format: jsonl
            timestamp: ts
            timestamp_format: iso8601
            fields:
              - {name: ts, type: timestamp}
            bounded:
              jdbc: {url: "jdbc:postgresql://db/x"}
            """,
            9,
            9,
            "bounded.jdbc.query",
            "missing required key 'query'"),
        c(
            "pubsub with both subscription and topic",
            """
            kind: source
            name: clicks
            format: jsonl
            timestamp: ts
            timestamp_format: iso8601
            fields:
              - {name: ts, type: timestamp}
            bounded: {path: "clicks/*.jsonl"}
            unbounded:
              pubsub: {subscription: "projects/p/subscriptions/s", topic: "projects/p/topics/t", timestamp_attribute: ts}
            """,
            10,
            11,
            "unbounded.pubsub",
            "give exactly one of subscription or topic"),
        c(
            "pubsub without timestamp_attribute",
            """
            kind: source
            name: clicks
            format: jsonl
            timestamp: ts
            timestamp_format: iso8601
            fields:
              - {name: ts, type: timestamp}
            bounded: {path: "clicks/*.jsonl"}
            unbounded:
              pubsub: {subscription: "projects/p/subscriptions/s"}
            """,
            10,
            11,
            "unbounded.pubsub.timestamp_attribute",
            "missing required key 'timestamp_attribute'"),
        c(
            "jdbc query with {from} but not {to}",
            """
            kind: source
            name: clicks
            format: jsonl
            timestamp: ts
            timestamp_format: iso8601
            fields:
              - {name: ts, type: timestamp}
            bounded:
              jdbc: {url: "jdbc:postgresql://db/x", query: "SELECT * FROM c WHERE ts >= {from}"}
            """,
            9,
            48,
            "bounded.jdbc.query",
            "the query must use both {from} and {to}"),
        c(
            "negative watermark_delay",
            """
            kind: source
            name: clicks
            format: jsonl
            timestamp: ts
            timestamp_format: iso8601
            fields:
              - {name: ts, type: timestamp}
            bounded: {path: "clicks/*.jsonl"}
            watermark_delay: -1m
            """,
            9,
            18,
            "watermark_delay",
            "watermark_delay must not be negative, not -1m"),
        c(
            "negative allowed_lateness",
            """
            kind: source
            name: clicks
            format: jsonl
            timestamp: ts
            timestamp_format: iso8601
            fields:
              - {name: ts, type: timestamp}
            bounded: {path: "clicks/*.jsonl"}
            allowed_lateness: -2h
            """,
            9,
            19,
            "allowed_lateness",
            "allowed_lateness must not be negative, not -2h"),
        // ---- entities --------------------------------------------------------------------------
        c(
            "entity key type not string or int",
            """
            kind: entity
            name: account
            keys: [{name: account_id, type: double}]
            """,
            3,
            33,
            "keys[0].type",
            "an entity key must be string or int, not double"),
        // ---- feature groups: references and keys ------------------------------------------------
        c(
            "unknown entity",
            """
            kind: feature_group
            name: g
            entity: usr
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            3,
            9,
            "entity",
            "unknown entity 'usr'; did you mean 'user'?"),
        c(
            "unknown source",
            """
            kind: feature_group
            name: g
            entity: user
            source: payment
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            4,
            9,
            "source",
            "unknown source 'payment'; did you mean 'payments'?"),
        c(
            "key missing an entity key",
            """
            kind: entity
            name: user_merchant
            keys: [{name: user_id, type: string}, {name: merchant, type: string}]
            ---
            kind: feature_group
            name: g
            entity: user_merchant
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            9,
            7,
            "keys.merchant",
            "missing key 'merchant' of entity 'user_merchant'"),
        c(
            "key that is not an entity key",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id, merchant: merchant}
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            5,
            26,
            "keys.merchant",
            "'merchant' is not a key of entity 'user' (keys: user_id)"),
        c(
            "key expression of another type",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: amount}
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            5,
            17,
            "keys.user_id",
            "entity key 'user_id' is string, but 'amount' is double"),
        c(
            "int key from a string expression",
            """
            kind: entity
            name: basket
            keys: [{name: basket_id, type: int}]
            ---
            kind: feature_group
            name: g
            entity: basket
            source: payments
            keys: {basket_id: merchant}
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            9,
            19,
            "keys.basket_id",
            "entity key 'basket_id' is int, but 'merchant' is string"),
        c(
            "CEL type error in a key",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: "user_id + 1"}
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            5,
            17,
            "keys.user_id",
            "invalid expression: <input>:1:9: found no matching overload for '_+_' applied to"
                + " '(wrapper(string), int)'"),
        // ---- filter and derive
        // -------------------------------------------------------------------
        c(
            "CEL syntax error in the filter",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            filter: "amount >"
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            6,
            9,
            "filter",
            "invalid expression: <input>:1:9: mismatched input '<EOF>'"),
        c(
            "filter not boolean",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            filter: amount
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            6,
            9,
            "filter",
            "filter must be a boolean expression, not double"),
        c(
            "filter over a derived column",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            filter: is_large
            derive: {is_large: "amount > 1000.0"}
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            6,
            9,
            "filter",
            "undeclared reference to 'is_large' ('is_large' is a derived column, which this"
                + " expression cannot use)"),
        c(
            "undeclared column in derive",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            derive:
              is_large: "amont > 1000.0"
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            7,
            13,
            "derive.is_large",
            "invalid expression: <input>:1:1: undeclared reference to 'amont'; did you mean"
                + " 'amount'?"),
        c(
            "derived column named like a source column",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            derive:
              amount: "amount * 100.0"
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            7,
            3,
            "derive.amount",
            "derived column 'amount' collides with the source column 'amount'"),
        c(
            "derived column named like an earlier derived column",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            derive:
              cents: "amount * 100.0"
              cents: "amount * 1000.0"
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            8,
            3,
            "derive.cents",
            "duplicate key 'cents' (first at line 7)"),
        c(
            "derived column without a column type",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            derive:
              amounts: "[amount, amount]"
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            7,
            12,
            "derive.amounts",
            "derived column 'amounts' has no column type"),
        // ---- custom logic
        // ------------------------------------------------------------------------
        c(
            "custom class not found",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            custom: {class: io.example.Missing, columns: {hour: int}}
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            6,
            17,
            "custom.class",
            "class io.example.Missing is not on the classpath"),
        c(
            "custom class not a RowFunction",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            custom: {class: io.featurepipe.transforms.definitions.NotARowFunction, columns: {hour: int}}
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            6,
            17,
            "custom.class",
            "does not implement io.featurepipe.transforms.expr.RowFunction"),
        c(
            "custom class without a no-argument constructor",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            custom: {class: io.featurepipe.transforms.definitions.NoDefaultConstructorFunction, columns: {hour: int}}
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            6,
            17,
            "custom.class",
            "has no public no-argument constructor"),
        c(
            "custom column of an unknown type",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            custom:
              class: io.featurepipe.transforms.definitions.HourOfDayFunction
              columns: {hour: integer}
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            8,
            19,
            "custom.columns.hour",
            "unknown column type 'integer'"),
        c(
            "custom column named like a derived column",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            derive: {hour: "event_time.getHours()"}
            custom:
              class: io.featurepipe.transforms.definitions.HourOfDayFunction
              columns: {hour: int}
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            """,
            9,
            13,
            "custom.columns.hour",
            "custom column 'hour' collides with the derived column 'hour'"),
        // ---- hop, windows, ttl, delays
        // -----------------------------------------------------------
        c(
            "hop not positive",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 0s
            features:
              - {name: n, agg: count, window: 1d}
            """,
            6,
            6,
            "hop",
            "hop must be positive, not 0s"),
        c(
            "not a duration",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1hour
            features:
              - {name: n, agg: count, window: 1d}
            """,
            6,
            6,
            "hop",
            "'1hour' is not a duration"),
        c(
            "window not a multiple of the hop",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 2h
            features:
              - {name: n, agg: count, window: 1d}
              - {name: amount_sum, agg: sum, column: amount, window: 1d}
              - {name: amount_max, agg: max, column: amount, window: 7h}
            """,
            10,
            58,
            "features[2].window",
            "window 7h is not a multiple of the hop 2h"),
        c(
            "ttl not a multiple of the hop",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            ttl: 90m
            features:
              - {name: n, agg: count, window: 1d}
            """,
            7,
            6,
            "ttl",
            "ttl 90m is not a multiple of the hop 1h"),
        c(
            "window not positive",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: n, agg: count, window: 0h}
            """,
            8,
            35,
            "features[0].window",
            "window must be positive, not 0h"),
        c(
            "window-less feature without a ttl",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
              - {name: last_amount, agg: last, column: amount}
            """,
            9,
            12,
            "features[1].window",
            "feature 'last_amount' names no window and the group has no ttl"),
        c(
            "negative availability_delay",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            availability_delay: -5m
            features:
              - {name: n, agg: count, window: 1d}
            """,
            7,
            21,
            "availability_delay",
            "availability_delay must not be negative, not -5m"),
        // ---- features
        // ------------------------------------------------------------------------------
        c(
            "unknown aggregation",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: total, agg: sun, column: amount, window: 1d}
            """,
            8,
            24,
            "features[0].agg",
            "unknown aggregation 'sun'; expected one of count, sum, mean"),
        c(
            "q out of range",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: p, agg: approx_quantile(1.5), column: amount, window: 1d}
            """,
            8,
            20,
            "features[0].agg",
            "q must be between 0 and 1 (exclusive), not 1.5"),
        c(
            "q missing",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: p, agg: approx_quantile, column: amount, window: 1d}
            """,
            8,
            20,
            "features[0].agg",
            "approx_quantile needs q: write approx_quantile(0.95) or add q: 0.95"),
        c(
            "k out of range",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - name: top
                agg: top_k
                k: 0
                column: merchant
                window: 1d
            """,
            10,
            8,
            "features[0].k",
            "k must be between 1 and 1000, not 0"),
        c(
            "k too large in parentheses",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: last, agg: last_k(1001), column: merchant, window: 1d}
            """,
            8,
            23,
            "features[0].agg",
            "k must be between 1 and 1000, not 1001"),
        c(
            "parameter of an aggregation that takes none",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: total, agg: sum, q: 0.5, column: amount, window: 1d}
            """,
            8,
            32,
            "features[0].q",
            "q applies only to approx_quantile"),
        c(
            "parameter in parentheses of an aggregation that takes none",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: total, agg: sum(2), column: amount, window: 1d}
            """,
            8,
            24,
            "features[0].agg",
            "sum takes no parameter"),
        c(
            "missing column",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: total, agg: sum, window: 1d}
            """,
            8,
            5,
            "features[0].column",
            "missing required key 'column': sum aggregates a column"),
        c(
            "column given to count",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: n, agg: count, column: amount, window: 1d}
            """,
            8,
            35,
            "features[0].column",
            "count counts rows; it takes no column"),
        c(
            "unknown column",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: total, agg: sum, column: amout, window: 1d}
            """,
            8,
            37,
            "features[0].column",
            "unknown column 'amout' (not a source, derived or custom column); did you mean"
                + " 'amount'?"),
        c(
            "aggregation over a column of the wrong type",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: total, agg: sum, column: merchant, window: 1d}
            """,
            8,
            37,
            "features[0].column",
            "sum needs a numeric column (int, double or bool), not string"),
        c(
            "quantile over a bool derived column",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            derive: {is_large: "amount > 1000.0"}
            hop: 1h
            features:
              - {name: p, agg: approx_quantile(0.5), column: is_large, window: 1d}
            """,
            9,
            50,
            "features[0].column",
            "approx_quantile needs an int or double column, not bool"),
        c(
            "duplicate feature names",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
              - {name: n, agg: count, window: 7d}
            """,
            9,
            12,
            "features[1].name",
            "duplicate feature 'n' (first at line 8)"),
        c(
            "feature named like an entity key",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features:
              - {name: user_id, agg: count, window: 1d}
            """,
            8,
            12,
            "features[0].name",
            "feature name 'user_id' is taken by a column of the group's rows"),
        c(
            "feature without features",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            hop: 1h
            features: []
            """,
            7,
            11,
            "features",
            "a feature group needs at least one feature"),
        c(
            "expect naming an unknown column",
            """
            kind: feature_group
            name: g
            entity: user
            source: payments
            keys: {user_id: user_id}
            derive: {is_large: "amount > 1000.0"}
            hop: 1h
            features:
              - {name: n, agg: count, window: 1d}
            expect:
              amount: {min: 0}
              is_large: {presence: 1.0}
              n: {min: 0}
              amout: {max: 10}
            """,
            14,
            3,
            "expect.amout",
            "expect names unknown column 'amout' (not a source, derived, custom or feature column);"
                + " did you mean 'amount'?"));
  }
}
