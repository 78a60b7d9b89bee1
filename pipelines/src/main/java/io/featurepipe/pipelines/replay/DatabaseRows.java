package io.featurepipe.pipelines.replay;

import io.featurepipe.pipelines.ingest.jdbc.SourceDatabase;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.SourceRecord;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows a JDBC source's query returns for a date, read once per source and date as the backfill
 * reads them: tells a dead-lettered record a rerun reads again (its row is still there, or a row
 * reads to the same record with the current definition) from one whose payload was changed.
 */
final class DatabaseRows {
  private final Map<String, List<SourceDatabase.Row>> read = new HashMap<>();

  /** A row the query still returns for a dead-lettered record: where, and how the backfill reads it now. */
  record Match(String where, SourceDatabase.Row row) {}

  /**
   * The row the query of {@code date} returns for the record (its dead-letter JSON equals {@code
   * payload}, or it decodes to the same values), e.g. {@code row 3}; null when it returns none.
   * Whether a rerun reads it is {@code row().decoded()}: the backfill's own decoding of the row, not
   * the replay's reading of the payload text.
   */
  Match find(SourceDef source, LocalDate date, String payload, SourceRecord record) {
    List<SourceDatabase.Row> rows = read.computeIfAbsent(source.name() + " " + date, k -> rows(source, date));
    for (int i = 0; i < rows.size(); i++) {
      SourceDatabase.Row row = rows.get(i);
      if (row.json().equals(payload) || ReplayChecks.same(row.decoded().record(), record)) {
        return new Match("row " + (i + 1) + " of " + date, row);
      }
    }
    return null;
  }

  static List<SourceDatabase.Row> rows(SourceDef source, LocalDate date) {
    try (SourceDatabase db = SourceDatabase.open(source)) {
      return db.rows(date, date);
    } catch (Exception e) {
      throw new IllegalStateException(
          "source '" + source.name() + "': cannot read the rows of " + date + ": " + e.getMessage(), e);
    }
  }
}
