package io.featurepipe.pipelines.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.ingest.ReadSource;
import io.featurepipe.pipelines.replay.ReplayResult.Verdict;
import io.featurepipe.sinks.deadletter.WriteDeadLetters;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.testing.Collected;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dead letters of a JDBC source against a real PostgreSQL (embedded, started here, in a non-UTC
 * server time zone). A row refused only by a definition that is now fixed is still returned by the
 * source's query: not written, its date reported for a backfill rerun. A row whose payload was
 * fixed in the dead letter is not replayed without {@code --jdbc-table}, and with it is inserted into
 * a table the query reads (once: replaying again finds it there). A table the query does not read
 * gets nothing (rolled back), and neither do the rows of another source of the same replay.
 */
class ReplayJdbcIT {
  static final LocalDate DAY = LocalDate.of(2026, 1, 1);

  static String defs(String url, String quantityType) {
    return """
        kind: source
        name: orders
        format: jsonl
        timestamp: created_at
        timestamp_format: iso8601
        fields:
          - {name: id, type: int, required: true}
          - {name: created_at, type: timestamp}
          - {name: user_id, type: string, required: true}
          - {name: total, type: double}
          - {name: quantity, type: %s}
        bounded:
          jdbc:
            url: "%s"
            query: "SELECT * FROM orders UNION ALL SELECT * FROM orders_fixed"
        """.formatted(quantityType, url);
  }

  @Test
  void rowsStillInTheDatabaseAreRerunAndFixedPayloadsAreInsertedOnce(@TempDir Path dir) throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setServerConfig("timezone", "America/New_York").start()) {
      String url = postgres.getJdbcUrl("postgres", "postgres");
      try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
        for (String table : List.of("orders", "orders_fixed", "elsewhere", "returns")) {
          s.execute("CREATE TABLE " + table
              + " (id bigint, created_at timestamptz, user_id text, total numeric(10,2), quantity text)");
        }
        s.execute("INSERT INTO orders VALUES"
            + " (1, '2026-01-01 10:00:00.000001+00', 'u1', 12.50, '3'),"
            + " (2, '2026-01-01 11:00:00+00', null, 7, '1'),"   // no user: fixed in the dead letter
            + " (3, '2026-01-01 12:00:00+00', 'u3', 1, '2.5')," // refused while quantity was an int
            + " (4, '2026-01-01 13:00:00+00', null, 1, '1'),"   // left broken
            + " (5, '2026-01-01 14:00:00+00', null, 1, '1')");  // fixed, for a table the query does not read
      }
      FeatureRepository old = RepositoryLoader.load(Map.of("d.yaml", defs(url, "int")));
      FeatureRepository fixed = RepositoryLoader.load(Map.of("d.yaml", defs(url, "double")));

      List<String> letters = new ArrayList<>();
      String elsewhere = null;
      for (DeadLetter d : deadLetters(old)) {
        String row = d.payload().replaceAll(".*\"id\":\"(\\d+)\".*", "$1");
        DeadLetter f = new DeadLetter(d.source(), d.step(), d.reason(), d.payload().replace("\"user_id\":null", "\"user_id\":\"u" + row + "\""), d.origin());
        if (row.equals("2")) {
          letters.add(WriteDeadLetters.toJson(f));
        } else if (row.equals("5")) {
          elsewhere = WriteDeadLetters.toJson(f);
        } else {
          letters.add(WriteDeadLetters.toJson(d));
        }
      }
      assertEquals(3, letters.size(), letters.toString());
      Path file = dir.resolve("letters/run-1/dead-letters.jsonl");
      Files.createDirectories(file.getParent());
      Files.write(file, letters);

      ReplayResult plain = Replay.of(fixed, List.of(file.toString())).run();
      String report = printed(plain);
      assertEquals(Map.of("orders", Map.of(DAY, 1L)), plain.rerunDates(), report);
      assertEquals(1, plain.count(Verdict.RERUN), report);
      assertEquals(1, plain.count(Verdict.NOT_REPLAYED), report);
      assertEquals(1, plain.count(Verdict.FAILED), report);
      assertTrue(report.contains("passes now, but the source's query returns no such row for " + DAY), report);
      assertTrue(report.contains("source orders  " + DAY + "  1 records"), report);
      assertEquals(0, count(postgres, "orders_fixed"));

      Replay intoTable = Replay.of(fixed, List.of(file.toString())).withJdbcTable("orders_fixed");
      ReplayResult inserted = intoTable.run();
      report = printed(inserted);
      assertEquals(1, inserted.count(Verdict.REPLAYED), report);
      assertEquals(1, inserted.count(Verdict.RERUN), report);
      assertEquals(Map.of("orders", Map.of(DAY, 2L)), inserted.rerunDates(), report);
      assertEquals(1, count(postgres, "orders_fixed"));
      assertEquals(List.of("[1, 1767261600000001000, u1, 12.5, 3.0]", "[2, 1767265200000000000, u2, 7.0, 1.0]",
          "[3, 1767268800000000000, u3, 1.0, 2.5]"), records(fixed), "the backfill of the day reads the inserted row");

      ReplayResult again = intoTable.run();
      assertEquals(0, again.count(Verdict.REPLAYED), printed(again));
      assertEquals(2, again.count(Verdict.RERUN), printed(again));
      assertEquals(1, count(postgres, "orders_fixed"), "replaying again inserts nothing twice");

      Path other = dir.resolve("letters/run-2/dead-letters.jsonl");
      Files.createDirectories(other.getParent());
      Files.write(other, List.of(elsewhere));
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> Replay.of(fixed, List.of(other.toString())).withJdbcTable("elsewhere").run());
      assertTrue(e.getMessage().contains("the source's query does not return"), e.getMessage());
      assertTrue(e.getMessage().contains("nothing was inserted"), e.getMessage());
      assertEquals(0, count(postgres, "elsewhere"), "rolled back");

      // two sources: the rows of orders pass their check, those of returns do not (its query reads
      // no orders_fixed); nothing of either is committed
      FeatureRepository two = RepositoryLoader.load(Map.of("d.yaml", defs(url, "double"),
          "r.yaml", defs(url, "double").replace("name: orders", "name: returns")
              .replace("SELECT * FROM orders UNION ALL SELECT * FROM orders_fixed", "SELECT * FROM returns")));
      Path both = dir.resolve("letters/run-3/dead-letters.jsonl");
      Files.createDirectories(both.getParent());
      Files.write(both, List.of(elsewhere, elsewhere.replace("\"source\":\"orders\"", "\"source\":\"returns\"")));
      assertTrue(Files.readString(both).contains("\"source\":\"returns\""));
      Replay twoSources = Replay.of(two, List.of(both.toString())).withJdbcTable("orders_fixed");
      assertEquals(2, twoSources.withDryRun(true).run().count(Verdict.REPLAYED), "both reach the inserts");
      IllegalStateException partial = assertThrows(IllegalStateException.class,
          twoSources::run);
      assertTrue(partial.getMessage().startsWith("source 'returns': inserting into orders_fixed failed (nothing was inserted;"),
          partial.getMessage());
      assertEquals(1, count(postgres, "orders_fixed"), "the rows of orders, checked, are rolled back with those of returns");
    }
  }

  static String printed(ReplayResult r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    r.print(new PrintStream(out, true, StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  static long count(EmbeddedPostgres postgres, String table) throws Exception {
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The dead letters a backfill of the day writes for the source, by origin. */
  static List<DeadLetter> deadLetters(FeatureRepository repo) {
    return new ArrayList<>(ReplayJdbcIT.<DeadLetter>read(repo, "d").values());
  }

  /** The records a backfill of the day reads, by id. */
  static List<String> records(FeatureRepository repo) {
    return new ArrayList<>(ReplayJdbcIT.<String>read(repo, "r").values());
  }

  @SuppressWarnings("unchecked")
  static <T> Map<String, T> read(FeatureRepository repo, String what) {
    TestPipeline p = TestPipeline.fromOptions(PipelineOptionsFactory.create()).enableAbandonedNodeEnforcement(false);
    String box = "replay-jdbc-" + System.nanoTime();
    PCollectionTuple out = p.apply(ReadSource.of(repo.source("orders"), null, DAY, DAY));
    out.get(ReadSource.RECORDS).apply("C1", Collected.into(box + "/r"));
    out.get(ReadSource.DEAD_LETTERS).apply("C2", Collected.into(box + "/d"));
    p.run().waitUntilFinish();
    Map<String, Object> got = new TreeMap<>();
    if (what.equals("r")) {
      for (SourceRecord r : Collected.<SourceRecord>get(box + "/r")) {
        got.put(String.valueOf(r.value(0)), Arrays.deepToString(r.values()));
      }
    } else {
      for (DeadLetter d : Collected.<DeadLetter>get(box + "/d")) {
        got.put(d.payload(), d);
      }
    }
    return (Map<String, T>) got;
  }
}
