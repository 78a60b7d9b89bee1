package io.featurepipe.benchmarks.offline;

import io.featurepipe.benchmarks.offline.BenchFeatures.Agg;
import io.featurepipe.benchmarks.offline.BenchFeatures.Feature;
import io.featurepipe.benchmarks.offline.BenchFeatures.Group;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.TreeSet;

/**
 * The DuckDB baseline (in-process, JDBC, every core): the same rows in SQL. Backfill: load the
 * JSON lines once, per group one tile per (key, hop) ({@code count}, exact sum of cents, min, max,
 * latest amount), a dense hour grid per key from its first tile to 7 days past its last, window
 * aggregates over the grid ({@code ROWS BETWEEN W PRECEDING AND 1 PRECEDING}: the window
 * {@code [e - W, e)}), only rows whose 7-day window is non-empty, written as Parquet partitioned
 * by date. Training set: the spine CSV joined to those Parquet files on key and
 * {@code e(t) = floor((t - delay) / hop)}, empty values where no row matches, written as Parquet.
 *
 * <p>Sums are exact: amounts are summed as integer cents (two decimals in the data) and divided
 * once; featurepipe sums the doubles exactly and rounds once, so the two agree to the last bit or
 * two (the check allows a relative 1e-12).
 */
final class DuckDbEngine implements OfflineEngine {
  private static final long HOP_MICROS = BenchFeatures.HOP_MILLIS * 1000;

  private final int threads;
  private final String memoryLimit;

  DuckDbEngine(int threads, String memoryLimit) {
    this.threads = threads;
    this.memoryLimit = memoryLimit;
  }

  @Override
  public String name() {
    return "DuckDB " + version() + " (" + threads + " threads)";
  }

  @Override
  public long backfill(OfflineWorkload w, Path offline) throws Exception {
    Files.createDirectories(offline);
    long rows = 0;
    try (Connection c = connect(offline); Statement s = c.createStatement()) {
      s.execute(loadPayments(w));
      for (Group g : BenchFeatures.GROUPS) {
        s.execute(tiles(g, w));
        rows += s.executeUpdate(writeRows(g, w, offline.resolve(g.name())));
        s.execute("DROP TABLE tiles_" + g.name());
      }
    }
    return rows;
  }

  @Override
  public long trainingSet(OfflineWorkload w, Path offline, Path training) throws Exception {
    Files.createDirectories(training);
    try (Connection c = connect(training); Statement s = c.createStatement()) {
      return s.executeUpdate(join(w, offline, training.resolve("training.parquet")));
    }
  }

  @Override
  public EngineOutputs outputs(OfflineWorkload w, Path offline, Path training) {
    return new EngineOutputs() {
      @Override
      public Map<String, Object[]> featureRows(Group g, Set<LocalDate> dates) throws Exception {
        Map<String, Object[]> out = new HashMap<>();
        try (Connection c = connect(offline); Statement s = c.createStatement()) {
          for (LocalDate d : dates) {
            Path dir = offline.resolve(g.name()).resolve("date=" + d);
            if (!Files.isDirectory(dir)) {
              continue;
            }
            try (ResultSet r = s.executeQuery("SELECT " + g.keyColumn() + ", epoch_ms(window_end), " + columns(g.features())
                + " FROM read_parquet('" + dir + "/*.parquet')")) {
              while (r.next()) {
                out.put(EngineOutputs.rowId(r.getString(1), r.getLong(2)), values(r, 3, g.features()));
              }
            }
          }
        }
        return out;
      }

      @Override
      public Map<String, Object[]> trainingRows(Set<String> ids) throws Exception {
        Map<String, Object[]> out = new HashMap<>();
        List<Feature> features = BenchFeatures.trainingColumns();
        try (Connection c = connect(training);
            Statement s = c.createStatement();
            ResultSet r = s.executeQuery("SELECT user_id, merchant_id, event_time, " + columns(features)
                + " FROM read_parquet('" + training.resolve("training.parquet") + "')")) {
          while (r.next()) {
            String id = EngineOutputs.spineId(r.getString(1), r.getString(2), r.getString(3));
            if (ids.contains(id)) {
              out.put(id, values(r, 4, features));
            }
          }
        }
        return out;
      }
    };
  }

  private Connection connect(Path work) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement s = c.createStatement()) {
      s.execute("SET threads = " + threads);
      s.execute("SET memory_limit = '" + memoryLimit + "'");
      s.execute("SET temp_directory = '" + work.resolve(".duckdb-tmp") + "'");
      s.execute("SET TimeZone = 'UTC'");
      s.execute("SET preserve_insertion_order = false");
    }
    return c;
  }

  static String version() {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT version()")) {
      r.next();
      return r.getString(1);
    } catch (SQLException e) {
      return "?";
    }
  }

  /** The payments with an amount and their time in epoch microseconds (the data's precision). */
  static String loadPayments(OfflineWorkload w) {
    return "CREATE TEMP TABLE payments AS SELECT user_id, merchant_id, amount,"
        + " CAST(round(amount * 100) AS BIGINT) AS cents, epoch_us(event_time) AS ts"
        + " FROM read_json('" + w.paymentsDir() + "/*.jsonl', format = 'newline_delimited', columns = {"
        + "txn_id: 'VARCHAR', event_time: 'TIMESTAMPTZ', user_id: 'VARCHAR', card_id: 'VARCHAR',"
        + " merchant_id: 'VARCHAR', merchant_category: 'VARCHAR', amount: 'DOUBLE', currency: 'VARCHAR',"
        + " country: 'VARCHAR', channel: 'VARCHAR', is_fraud: 'BOOLEAN'})"
        + " WHERE amount IS NOT NULL";
  }

  /** One tile per (key, hop): count, exact cents, and the min, max, latest amount (ties: the larger) where used. */
  static String tiles(Group g, OfflineWorkload w) {
    long firstHop = w.fromHop() - BenchFeatures.LONGEST_HOPS;
    StringBuilder b = new StringBuilder("CREATE TEMP TABLE tiles_" + g.name() + " AS SELECT " + g.keyColumn()
        + " AS k, ts // " + HOP_MICROS + " AS h, count(*) AS n, sum(cents) AS cents");
    if (uses(g, Agg.MIN)) {
      b.append(", min(amount) AS lo");
    }
    if (uses(g, Agg.MAX)) {
      b.append(", max(amount) AS hi");
    }
    if (uses(g, Agg.LAST)) {
      b.append(", max({'t': ts, 'a': amount}).a AS last_a");
    }
    return b.append(" FROM payments WHERE ts >= ").append(firstHop * HOP_MICROS)
        .append(" AND ts < ").append(w.toHopExclusive() * HOP_MICROS).append(" GROUP BY ALL").toString();
  }

  /** The dense grid per key, the windows over it, the rows of the range, as Parquet by date. */
  static String writeRows(Group g, OfflineWorkload w, Path out) {
    int longest = BenchFeatures.LONGEST_HOPS;
    // the window aggregates the features need (alias -> expression), each computed once
    Map<String, String> windows = new LinkedHashMap<>();
    windows.put("n_" + longest, "sum(n) OVER w" + longest);
    StringBuilder select = new StringBuilder();
    for (Feature f : g.features()) {
      int h = f.windowHops();
      String n = "coalesce(n_" + h + ", 0)";
      String c = "CAST(c_" + h + " AS DOUBLE)";
      if (f.agg() == Agg.COUNT || f.agg() == Agg.MEAN) {
        windows.put("n_" + h, "sum(n) OVER w" + h);
      }
      if (f.agg() == Agg.SUM || f.agg() == Agg.MEAN) {
        windows.put("c_" + h, "sum(cents) OVER w" + h);
      }
      String expr = switch (f.agg()) {
        case COUNT -> "CAST(" + n + " AS BIGINT)";
        case SUM -> "coalesce(" + c + ", 0) / 100";
        case MEAN -> "CASE WHEN " + n + " > 0 THEN " + c + " / (100.0 * " + n + ") END";
        case MIN -> window(windows, "lo_" + h, "min(lo) OVER w" + h);
        case MAX -> window(windows, "hi_" + h, "max(hi) OVER w" + h);
        case LAST -> window(windows, "last_" + h, "last_value(last_a IGNORE NULLS) OVER w" + h);
      };
      select.append(", ").append(expr).append(" AS ").append(f.name());
    }
    StringBuilder aggregates = new StringBuilder();
    Set<String> frames = new TreeSet<>();
    windows.forEach((alias, expr) -> {
      aggregates.append(", ").append(expr).append(" AS ").append(alias);
      frames.add(expr.substring(expr.lastIndexOf(" w") + 2));
    });
    StringBuilder defs = new StringBuilder();
    for (String h : frames) {
      defs.append(defs.length() == 0 ? " WINDOW " : ", ").append('w').append(h)
          .append(" AS (PARTITION BY k ORDER BY e ROWS BETWEEN ").append(h).append(" PRECEDING AND 1 PRECEDING)");
    }
    String tiles = "tiles_" + g.name();
    String tileColumns = "t.n, t.cents" + (uses(g, Agg.MIN) ? ", t.lo" : "") + (uses(g, Agg.MAX) ? ", t.hi" : "")
        + (uses(g, Agg.LAST) ? ", t.last_a" : "");
    return "COPY (WITH bounds AS (SELECT k, min(h) AS lo, max(h) AS hi FROM " + tiles + " GROUP BY k),"
        + " grid AS (SELECT k, unnest(range(lo, hi + " + (longest + 1) + ")) AS e FROM bounds),"
        + " dense AS (SELECT g.k, g.e, " + tileColumns + " FROM grid g LEFT JOIN " + tiles
        + " t ON t.k = g.k AND t.h = g.e),"
        + " win AS (SELECT k, e" + aggregates + " FROM dense" + defs + ")"
        + " SELECT k AS " + g.keyColumn() + ", make_timestamp(e * " + HOP_MICROS + ") AS window_end" + select
        + ", CAST(make_timestamp(e * " + HOP_MICROS + ") AS DATE) AS date FROM win"
        + " WHERE n_" + longest + " > 0 AND e >= " + w.fromHop() + " AND e < " + w.toHopExclusive()
        + ") TO '" + out + "' (FORMAT PARQUET, PARTITION_BY (date), OVERWRITE_OR_IGNORE)";
  }

  private static String window(Map<String, String> windows, String alias, String expr) {
    windows.put(alias, expr);
    return alias;
  }

  private static boolean uses(Group g, Agg agg) {
    return g.features().stream().anyMatch(f -> f.agg() == agg);
  }

  /** The spine joined on key and e(t) to each group's rows; the empty values where none matches. */
  static String join(OfflineWorkload w, Path offline, Path out) {
    long delayMicros = BenchFeatures.DELAY_MILLIS * 1000;
    StringBuilder select = new StringBuilder("s.user_id, s.merchant_id, s.event_time, s.is_fraud");
    StringBuilder from = new StringBuilder(" FROM spine s");
    int alias = 0;
    for (Group g : BenchFeatures.GROUPS) {
      String a = "g" + alias++;
      for (Feature f : g.features()) {
        Object empty = f.agg().empty();
        select.append(", ").append(empty == null ? a + "." + f.name() : "coalesce(" + a + "." + f.name() + ", " + empty + ")")
            .append(" AS ").append(f.name());
      }
      from.append(" LEFT JOIN read_parquet('").append(offline.resolve(g.name())).append("/*/*.parquet') ").append(a)
          .append(" ON ").append(a).append('.').append(g.keyColumn()).append(" = s.").append(g.keyColumn())
          .append(" AND ").append(a).append(".window_end = s.e");
    }
    return "COPY (WITH spine AS (SELECT *, make_timestamp((epoch_us(CAST(event_time AS TIMESTAMPTZ)) - " + delayMicros
        + ") // " + HOP_MICROS + " * " + HOP_MICROS + ") AS e FROM read_csv('" + w.spine()
        + "', header = true, columns = {user_id: 'VARCHAR', merchant_id: 'VARCHAR', event_time: 'VARCHAR',"
        + " is_fraud: 'BOOLEAN'})) SELECT " + select + from + ") TO '" + out + "' (FORMAT PARQUET)";
  }

  private static String columns(List<Feature> features) {
    StringBuilder b = new StringBuilder();
    for (Feature f : features) {
      b.append(b.length() == 0 ? "" : ", ").append(f.name());
    }
    return b.toString();
  }

  private static Object[] values(ResultSet r, int first, List<Feature> features) throws SQLException {
    Object[] v = new Object[features.size()];
    for (int i = 0; i < v.length; i++) {
      Agg agg = features.get(i).agg();
      v[i] = EngineOutputs.normalize((Number) r.getObject(first + i), agg);
    }
    return v;
  }
}
