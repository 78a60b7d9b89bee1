package io.featurepipe.pipelines.ingest.jdbc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.featurepipe.pipelines.ingest.Decoded;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.DeadLetter;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.ZoneOffset;
import java.util.Calendar;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import org.apache.beam.sdk.io.jdbc.JdbcIO;

/**
 * Maps a result row to a {@link Decoded}: columns are matched to the source's fields by name
 * (ignoring case), values converted by {@link RecordDecoder#fromValues}; SQL timestamps are read
 * with a UTC calendar (a {@code timestamp} without time zone is UTC) at full precision. A row that
 * does not fit becomes a dead letter with the row as JSON and origin {@code <url> row <n>}.
 */
final class RowDecoder implements JdbcIO.RowMapper<Decoded> {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SourceDef source;
  private final String where;
  private transient RecordDecoder decoder;
  private transient long rows;

  RowDecoder(SourceDef source, String where) {
    this.source = source;
    this.where = where;
  }

  @Override
  public Decoded mapRow(ResultSet rs) throws Exception {
    if (decoder == null) {
      decoder = new RecordDecoder(source);
    }
    rows++;
    int row = rs.getRow();
    String origin = where + " row " + (row > 0 ? row : rows);
    ResultSetMetaData meta = rs.getMetaData();
    Map<String, Integer> columns = new HashMap<>();
    for (int c = 1; c <= meta.getColumnCount(); c++) {
      columns.putIfAbsent(meta.getColumnLabel(c).toLowerCase(Locale.ROOT), c);
    }
    Map<String, Object> values = new HashMap<>();
    for (Field f : source.fields()) {
      Integer c = columns.get(f.name().toLowerCase(Locale.ROOT));
      if (c != null) {
        values.put(f.name(), value(rs, meta, c, f));
      }
    }
    try {
      return Decoded.of(decoder.fromValues(values, origin));
    } catch (BadRecordException e) {
      return Decoded.failed(
          new DeadLetter(source.name(), "ReadJdbc/" + source.name(), e.getMessage(), json(rs, meta), origin));
    }
  }

  private static Object value(ResultSet rs, ResultSetMetaData meta, int c, Field f) throws SQLException {
    int type = meta.getColumnType(c);
    if (f.type() == ColumnType.TIMESTAMP
        && (type == Types.TIMESTAMP || type == Types.TIMESTAMP_WITH_TIMEZONE)) {
      Timestamp t = rs.getTimestamp(c, Calendar.getInstance(TimeZone.getTimeZone(ZoneOffset.UTC)));
      return t == null ? null : t.toInstant();
    }
    return rs.getObject(c);
  }

  /** The row as the JSON of a dead letter: every column by its label, as text. */
  static String json(ResultSet rs, ResultSetMetaData meta) throws SQLException {
    ObjectNode o = JSON.createObjectNode();
    for (int c = 1; c <= meta.getColumnCount(); c++) {
      String text = rs.getString(c);
      if (text == null) {
        o.putNull(meta.getColumnLabel(c));
      } else {
        o.put(meta.getColumnLabel(c), text);
      }
    }
    return RecordDecoder.withSurrogatesEscaped(o.toString());
  }
}
