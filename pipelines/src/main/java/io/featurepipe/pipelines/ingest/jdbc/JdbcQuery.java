package io.featurepipe.pipelines.ingest.jdbc;

import io.featurepipe.transforms.model.SourceDef;
import java.io.Serializable;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.TimeZone;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL a JDBC source runs for a date range, and its bind parameters.
 *
 * <ul>
 *   <li>A query with {@code {from}} and {@code {to}} gets each replaced by a bind parameter: the
 *       start of the first day and the start of the day after the last (UTC), so a query says
 *       {@code WHERE ts >= {from} AND ts < {to}}. Without a range they bind the earliest and the
 *       latest time.
 *   <li>A query without them is wrapped when a range is given: {@code SELECT * FROM (<query>)
 *       featurepipe_rows WHERE <timestamp column> >= ? AND <timestamp column> < ?}.
 * </ul>
 *
 * <p>Parameters are SQL timestamps set with a UTC calendar (right for {@code timestamp with time
 * zone} columns, and for {@code timestamp} columns holding UTC), or, when the source's
 * {@code timestamp_format} is {@code epoch_seconds/millis/micros}, numbers in that unit.
 */
public record JdbcQuery(String sql, List<Object> parameters) implements Serializable {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{(from|to)\\}");
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

  public JdbcQuery {
    parameters = List.copyOf(parameters);
  }

  /** The query of a source's {@code bounded.jdbc} for days {@code from}..{@code to} (or all). */
  public static JdbcQuery of(SourceDef source, LocalDate from, LocalDate to) {
    String query = source.bounded().get("query").strip();
    while (query.endsWith(";")) {
      query = query.substring(0, query.length() - 1).stripTrailing();
    }
    boolean ranged = from != null && to != null;
    Instant start = ranged ? from.atStartOfDay(ZoneOffset.UTC).toInstant() : EARLIEST;
    Instant end = ranged ? to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant() : LATEST;
    String format = source.timestampFormat();
    Matcher m = PLACEHOLDER.matcher(query);
    if (m.find()) {
      List<Object> params = new ArrayList<>();
      StringBuilder sql = new StringBuilder();
      m.reset();
      while (m.find()) {
        params.add(bound(m.group(1).equals("from") ? start : end, format, !ranged));
        m.appendReplacement(sql, "?");
      }
      m.appendTail(sql);
      return new JdbcQuery(sql.toString(), params);
    }
    if (!ranged) {
      return new JdbcQuery(query, List.of());
    }
    String ts = source.timestampColumn();
    return new JdbcQuery(
        "SELECT * FROM (" + query + ") featurepipe_rows WHERE " + ts + " >= ? AND " + ts + " < ?",
        List.of(bound(start, format, false), bound(end, format, false)));
  }

  /** Binds the parameters, in order. */
  public void bind(PreparedStatement statement) throws SQLException {
    Calendar utc = Calendar.getInstance(TimeZone.getTimeZone(ZoneOffset.UTC));
    for (int i = 0; i < parameters.size(); i++) {
      Object p = parameters.get(i);
      if (p instanceof Timestamp t) {
        statement.setTimestamp(i + 1, t, utc);
      } else {
        statement.setLong(i + 1, (Long) p);
      }
    }
  }

  private static Object bound(Instant t, String format, boolean open) {
    long micros = Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000L);
    switch (format == null ? "" : format) {
      case "epoch_seconds":
        return open ? (t == EARLIEST ? Long.MIN_VALUE : Long.MAX_VALUE) : t.getEpochSecond();
      case "epoch_millis":
        return open ? (t == EARLIEST ? Long.MIN_VALUE : Long.MAX_VALUE) : Math.floorDiv(micros, 1_000L);
      case "epoch_micros":
        return open ? (t == EARLIEST ? Long.MIN_VALUE : Long.MAX_VALUE) : micros;
      default:
        return Timestamp.from(t);
    }
  }
}
