package io.featurepipe.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.ingest.jdbc.JdbcQuery;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.testing.Collected;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * JDBC sources against a real PostgreSQL (embedded, started here, in a non-UTC server time zone):
 * typed rows, event time from the row at full precision, a date range that restricts the query
 * (placeholders or the wrapping filter), and bad rows as dead letters.
 */
class ReadJdbcIT {

  static EmbeddedPostgres postgres;
  static String url;

  @BeforeAll
  static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().setServerConfig("timezone", "America/New_York").start();
    url = postgres.getJdbcUrl("postgres", "postgres");
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE orders (id bigint, created_at timestamptz, local_at timestamp, user_id text,"
              + " total numeric(10,2), quantity text, express boolean)");
      s.execute(
          "INSERT INTO orders VALUES"
              + " (1, '2026-01-01 00:00:00.000001+00', '2026-01-01 00:00:00.000001', 'u1', 12.50, '3', true),"
              + " (2, '2026-01-01 23:59:59.999999+00', '2026-01-01 23:59:59.999999', 'u2', 7, '1', null),"
              + " (3, '2026-01-02 12:00:00+00', '2026-01-02 12:00:00', 'u3', 1, 'three', false),"
              + " (4, '2026-01-02 13:00:00+00', '2026-01-02 13:00:00', null, 1, '1', false),"
              + " (5, '2026-01-03 00:00:00+00', '2026-01-03 00:00:00', 'u5', 1, '1', false),"
              + " (6, '2025-12-31 23:59:59.999999+00', '2025-12-31 23:59:59.999999', 'u6', 1, '1', false)");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
  }

  static SourceDef source(String timestampColumn, String query) throws Exception {
    String yaml =
        "kind: source\nname: orders\nformat: avro\ntimestamp: " + timestampColumn
            + "\ntimestamp_format: iso8601\nfields:\n"
            + "  - {name: id, type: int, required: true}\n"
            + "  - {name: " + timestampColumn + ", type: timestamp}\n"
            + "  - {name: user_id, type: string, required: true}\n"
            + "  - {name: total, type: double}\n"
            + "  - {name: quantity, type: int}\n"
            + "  - {name: express, type: bool}\n"
            + "bounded:\n  jdbc: {url: \"" + url + "\", query: \"" + query + "\", fetch_size: 2}\n";
    return RepositoryLoader.load(Map.of("s.yaml", yaml)).source("orders");
  }

  record Read(Map<Long, String> records, Map<String, DeadLetter> dead) {}

  static Read read(SourceDef source, LocalDate from, LocalDate to) {
    TestPipeline p = TestPipeline.fromOptions(PipelineOptionsFactory.create()).enableAbandonedNodeEnforcement(false);
    String box = "jdbc-" + System.nanoTime();
    PCollectionTuple out = p.apply(ReadSource.of(source, null, from, to));
    out.get(ReadSource.RECORDS).apply("C1", Collected.into(box + "/r"));
    out.get(ReadSource.DEAD_LETTERS).apply("C2", Collected.into(box + "/d"));
    p.run().waitUntilFinish();
    Map<Long, String> records = new TreeMap<>();
    for (SourceRecord r : Collected.<SourceRecord>get(box + "/r")) {
      records.put((Long) r.value(0), Arrays.deepToString(r.values()));
    }
    Map<String, DeadLetter> dead = new TreeMap<>();
    for (DeadLetter d : Collected.<DeadLetter>get(box + "/d")) {
      dead.put(d.origin().replaceAll(".* row ", "row "), d);
    }
    return new Read(records, dead);
  }

  @Test
  void aWrappedQueryReadsTheRangeOfATimestampWithTimeZoneColumn() throws Exception {
    SourceDef source =
        source("created_at", "SELECT id, created_at, user_id, total, quantity, express FROM orders ORDER BY id;");
    Read r = read(source, LocalDate.parse("2026-01-01"), LocalDate.parse("2026-01-02"));
    assertEquals(
        Map.of(
            1L, "[1, 1767225600000001000, u1, 12.5, 3, true]",
            2L, "[2, 1767311999999999000, u2, 7.0, 1, null]"),
        r.records());
    assertEquals(List.of("row 3", "row 4"), List.copyOf(r.dead().keySet()));
    DeadLetter three = r.dead().get("row 3");
    assertEquals("field 'quantity' is 'three', not an integer", three.reason());
    assertEquals("ReadJdbc/orders", three.step());
    assertTrue(three.origin().startsWith("jdbc:postgresql://"), three.origin());
    assertTrue(three.payload().contains("\"quantity\":\"three\""), three.payload());
    assertEquals("required field 'user_id' is missing", r.dead().get("row 4").reason());
  }

  @Test
  void placeholdersBindTheRangeAndATimestampWithoutZoneIsUtc() throws Exception {
    SourceDef source =
        source(
            "local_at",
            "SELECT id, local_at, user_id, total, quantity, express FROM orders"
                + " WHERE local_at >= {from} AND local_at < {to} AND id <> 3 ORDER BY id");
    Read r = read(source, LocalDate.parse("2026-01-02"), LocalDate.parse("2026-01-03"));
    assertEquals(Map.of(5L, "[5, 1767398400000000000, u5, 1.0, 1, false]"), r.records());
    assertEquals(List.of("row 1"), List.copyOf(r.dead().keySet()));
    Read all = read(source, null, null);
    assertEquals(List.of(1L, 2L, 5L, 6L), List.copyOf(all.records().keySet()));
    assertEquals("[6, 1767225599999999000, u6, 1.0, 1, false]", all.records().get(6L));
  }

  @Test
  void theRangeBecomesBindParameters() throws Exception {
    JdbcQuery q = JdbcQuery.of(source("created_at", "SELECT * FROM orders"), LocalDate.parse("2026-01-01"), LocalDate.parse("2026-01-01"));
    assertEquals("SELECT * FROM (SELECT * FROM orders) featurepipe_rows WHERE created_at >= ? AND created_at < ?", q.sql());
    assertEquals("[2026-01-01T00:00:00Z, 2026-01-02T00:00:00Z]",
        q.parameters().stream().map(t -> ((java.sql.Timestamp) t).toInstant().toString()).toList().toString());
  }
}
