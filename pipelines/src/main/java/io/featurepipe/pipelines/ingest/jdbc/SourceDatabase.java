package io.featurepipe.pipelines.ingest.jdbc;

import io.featurepipe.pipelines.ingest.Decoded;
import io.featurepipe.transforms.decode.TimestampParser;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.SourceRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.TimeZone;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One connection to a JDBC source's database, outside a pipeline, for the replay of its dead
 * letters: the rows its query returns for a date range, read exactly as {@link ReadJdbc} reads
 * them ({@link RowDecoder}: the row as dead-letter JSON and the record or dead letter the current
 * definition makes of it), and records inserted into a table in one transaction.
 *
 * <pre>{@code
 * try (SourceDatabase db = SourceDatabase.open(source)) {
 *   List<SourceDatabase.Row> rows = db.rows(day, day);
 *   db.insert("orders_replayed", records);   // not committed yet
 *   db.commit();
 * }
 * }</pre>
 *
 * <p>Plain JDBC rather than {@code JdbcIO.write}: the replay is one process writing a few records,
 * and the inserts and the check that the source's query reads them back must share one
 * transaction, which {@code JdbcIO} (a commit per bundle) does not offer.
 */
public final class SourceDatabase implements AutoCloseable {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?");

  /** A row of the source's query: as the dead-letter JSON {@link ReadJdbc} writes, and decoded. */
  public record Row(String json, Decoded decoded) {}

  private final SourceDef source;
  private final Connection connection;
  private final String where;

  private SourceDatabase(SourceDef source, Connection connection, String where) {
    this.source = source;
    this.connection = connection;
    this.where = where;
  }

  /** Connects to the source's {@code bounded.jdbc} database, with auto-commit off. */
  public static SourceDatabase open(SourceDef source) throws SQLException {
    if (source.bounded() == null || !"jdbc".equals(source.bounded().kind())) {
      throw new IllegalArgumentException("source '" + source.name() + "' has no bounded jdbc input");
    }
    Connection c = JdbcConnection.of(source.name(), source.bounded()).apply(null).getConnection();
    c.setAutoCommit(false);
    return new SourceDatabase(source, c, JdbcConnection.withoutParameters(source.bounded().get("url")));
  }

  /** The rows the source's query returns for days {@code from}..{@code to}, in query order. */
  public List<Row> rows(LocalDate from, LocalDate to) throws Exception {
    JdbcQuery query = JdbcQuery.of(source, from, to);
    RowDecoder decoder = new RowDecoder(source, where);
    List<Row> out = new ArrayList<>();
    try (PreparedStatement s = connection.prepareStatement(query.sql())) {
      query.bind(s);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(new Row(RowDecoder.json(rs, rs.getMetaData()), decoder.mapRow(rs)));
        }
      }
    }
    return out;
  }

  /** How long one batch of inserts may take, waits for locks included. */
  static final int INSERT_TIMEOUT_SECONDS = 120;

  /**
   * Inserts records into {@code table} (columns named as the source's fields; timestamps as SQL
   * timestamps in UTC, or numbers in the source's epoch unit for the event-time column of an
   * {@code epoch_*} source), without committing.
   */
  public void insert(String table, List<SourceRecord> records) throws SQLException {
    if (!NAME.matcher(table).matches()) {
      throw new IllegalArgumentException("'" + table + "' is not a table name ([schema.]name)");
    }
    List<Field> fields = source.fields();
    for (Field f : fields) {
      if (!NAME.matcher(f.name()).matches() || f.name().contains(".")) {
        throw new IllegalArgumentException("field '" + f.name() + "' cannot name a column");
      }
    }
    String sql = "INSERT INTO " + table + " ("
        + fields.stream().map(Field::name).collect(Collectors.joining(", ")) + ") VALUES ("
        + fields.stream().map(f -> "?").collect(Collectors.joining(", ")) + ")";
    Calendar utc = Calendar.getInstance(TimeZone.getTimeZone(ZoneOffset.UTC));
    String format = source.timestampFormat() == null ? "" : source.timestampFormat();
    try (PreparedStatement s = connection.prepareStatement(sql)) {
      // the replay holds one open transaction per source: an insert waiting on another's lock (a
      // unique key in a table they share) fails after this instead of waiting forever
      s.setQueryTimeout(INSERT_TIMEOUT_SECONDS);
      for (SourceRecord r : records) {
        for (int i = 0; i < fields.size(); i++) {
          Field f = fields.get(i);
          Object v = r.value(i);
          if (v == null) {
            s.setNull(i + 1, sqlType(f.type()));
          } else if (f.type() == ColumnType.TIMESTAMP) {
            long nanos = (Long) v;
            boolean epoch = f.name().equals(source.timestampColumn()) && format.startsWith("epoch_");
            if (epoch) {
              s.setLong(i + 1, new TimestampParser(format).toNumber(nanos));
            } else {
              Instant t = Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
              s.setTimestamp(i + 1, Timestamp.from(t), utc);
            }
          } else {
            s.setObject(i + 1, v);
          }
        }
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  public void commit() throws SQLException {
    connection.commit();
  }

  public void rollback() throws SQLException {
    connection.rollback();
  }

  /** Closes the connection; what was not committed is rolled back. */
  @Override
  public void close() throws SQLException {
    try {
      if (!connection.isClosed()) {
        connection.rollback();
      }
    } finally {
      connection.close();
    }
  }

  private static int sqlType(ColumnType type) {
    return switch (type) {
      case STRING -> Types.VARCHAR;
      case INT64 -> Types.BIGINT;
      case DOUBLE -> Types.DOUBLE;
      case BOOL -> Types.BOOLEAN;
      case TIMESTAMP -> Types.TIMESTAMP;
    };
  }
}
