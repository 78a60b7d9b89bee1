package io.featurepipe.pipelines.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.featurepipe.transforms.decode.TimestampParser;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.model.SourceFormat;
import io.featurepipe.transforms.record.SourceRecord;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Writes a {@link SourceRecord} as one line of its source's format, so that the source's reader
 * decodes it back to the same values: a JSON object for {@code jsonl}, a CSV line (fields in
 * definition order, with {@link #header()} for sources whose files have one) for {@code csv}. The
 * event-time column is written in the source's {@code timestamp_format}; other timestamp columns as
 * ISO-8601. Avro records are written by {@link AvroRecords}.
 */
final class SourceLines {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SourceDef source;
  private final int timestampIndex;

  SourceLines(SourceDef source) {
    if (source.format() != SourceFormat.JSONL && source.format() != SourceFormat.CSV) {
      throw new IllegalArgumentException(
          "source '" + source.name() + "' is " + source.format().yamlName()
              + ": replay writes jsonl and csv sources only");
    }
    this.source = source;
    this.timestampIndex = source.indexOf(source.timestampColumn());
  }

  /** Whether records of this source can be written back in its format. */
  static boolean writable(SourceDef source) {
    return source.format() == SourceFormat.JSONL || source.format() == SourceFormat.CSV;
  }

  /** The header line of a file of this source, or null when its files have none. */
  String header() {
    if (source.format() != SourceFormat.CSV || !source.csvHeader()) {
      return null;
    }
    return csv(source.fields().stream().map(Field::name).map(n -> (Object) n).toList());
  }

  /** The record as one line of the source's format. */
  String line(SourceRecord r) {
    List<Field> fields = source.fields();
    if (source.format() == SourceFormat.JSONL) {
      ObjectNode o = JSON.createObjectNode();
      for (int i = 0; i < fields.size(); i++) {
        Object v = r.value(i);
        String name = fields.get(i).name();
        if (v == null) {
          o.putNull(name);
        } else if (fields.get(i).type() == ColumnType.TIMESTAMP) {
          String t = timestamp(i, (Long) v);
          if (isNumber(i)) {
            o.put(name, Long.parseLong(t));
          } else {
            o.put(name, t);
          }
        } else if (v instanceof Long l) {
          o.put(name, l);
        } else if (v instanceof Double d) {
          o.put(name, d);
        } else if (v instanceof Boolean b) {
          o.put(name, b);
        } else {
          o.put(name, v.toString());
        }
      }
      return o.toString();
    }
    List<Object> values = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      Object v = r.value(i);
      if (v == null) {
        values.add("");
      } else if (fields.get(i).type() == ColumnType.TIMESTAMP) {
        values.add(timestamp(i, (Long) v));
      } else {
        values.add(v.toString());
      }
    }
    return csv(values);
  }

  private boolean isNumber(int index) {
    return index == timestampIndex && source.timestampFormat().startsWith("epoch_");
  }

  private String timestamp(int index, long nanos) {
    Instant t = Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    if (index != timestampIndex) {
      return t.toString();
    }
    return switch (source.timestampFormat()) {
      case "iso8601" -> t.toString();
      case "epoch_seconds", "epoch_millis", "epoch_micros" -> Long.toString(new TimestampParser(source.timestampFormat()).toNumber(nanos));
      default -> DateTimeFormatter.ofPattern(source.timestampFormat()).withZone(ZoneOffset.UTC).format(t);
    };
  }

  private String csv(List<Object> values) {
    StringWriter w = new StringWriter();
    try (CSVPrinter p =
        new CSVPrinter(
            w, CSVFormat.RFC4180.builder().setDelimiter(source.csvDelimiter()).setRecordSeparator("").get())) {
      p.printRecord(values);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }
}
