package io.featurepipe.pipelines.training;

import com.fasterxml.jackson.databind.JsonNode;
import io.featurepipe.sinks.training.SpineRow;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.CsvLine;
import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.Field;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Turns one spine line or record into a {@link SpineRow}, or says with a {@link
 * BadRecordException} which column and value is wrong: a missing or unreadable timestamp, a missing
 * entity key, a value that does not fit its column's type, a CSV line with the wrong number of
 * columns, a JSON line with a column the spine's columns do not have.
 */
final class SpineDecoder implements Serializable {

  private final SpineLayout layout;
  private final List<Field> keyColumns;
  private final SpineTimestamps timestamps;
  private transient GenericDatumWriter<GenericRecord> writer;
  private transient BinaryEncoder encoder;

  SpineDecoder(SpineLayout layout, List<Field> keyColumns) {
    this.layout = layout;
    this.keyColumns = List.copyOf(keyColumns);
    this.timestamps = SpineTimestamps.of(layout.source().timestampFormat());
  }

  /** A CSV line, given the header of its file. */
  SpineRow fromCsv(String line, List<String> header, long id, String origin) throws BadRecordException {
    List<String> values;
    try {
      values = CsvLine.fields(line, ',');
    } catch (IOException e) {
      throw new BadRecordException("not valid CSV: " + e.getMessage());
    }
    if (values.size() != header.size()) {
      throw new BadRecordException("has " + values.size() + " columns where the header has " + header.size());
    }
    Schema schema = layout.schema();
    GenericRecord r = new GenericData.Record(schema);
    for (int c = 0; c < header.size(); c++) {
      Schema.Field f = schema.getField(header.get(c));
      if (f == null) {
        throw new BadRecordException("has column '" + header.get(c) + "', which the first spine file's header lacks");
      }
      String text = values.get(c);
      r.put(f.pos(), text.isEmpty() ? null : fromText(f, text));
    }
    return finish(r, id, origin);
  }

  /** A JSON object. */
  SpineRow fromJson(String line, long id, String origin) throws BadRecordException {
    JsonNode node = RecordDecoder.objectOfLine(line);
    Schema schema = layout.schema();
    GenericRecord r = new GenericData.Record(schema);
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Schema.Field f = schema.getField(e.getKey());
      if (f == null) {
        throw new BadRecordException(
            "has column '" + e.getKey() + "', which is not among the spine's columns (taken from its first "
                + SpineLayout.SAMPLE_LINES + " lines): declare it with its type");
      }
      r.put(f.pos(), e.getValue().isNull() ? null : fromJson(f, e.getValue()));
    }
    return finish(r, id, origin);
  }

  /** An Avro record, already in the spine's schema. */
  SpineRow fromAvro(GenericRecord r, long id, String origin) throws BadRecordException {
    return finish(r, id, origin);
  }

  private SpineRow finish(GenericRecord r, long id, String origin) throws BadRecordException {
    String tsColumn = layout.source().timestampColumn();
    Schema.Field ts = r.getSchema().getField(tsColumn);
    long time;
    try {
      time = timestamps.parse(r.get(ts.pos()), ts.schema());
    } catch (BadRecordException e) {
      throw new BadRecordException("timestamp column '" + tsColumn + "' " + e.getMessage());
    }
    List<Object> keys = new ArrayList<>(keyColumns.size());
    for (Field k : keyColumns) {
      keys.add(key(k, r.get(k.name())));
    }
    return new SpineRow(id, origin, time, keys, encode(r));
  }

  private static Object key(Field k, Object v) throws BadRecordException {
    if (v == null || (v instanceof CharSequence cs && cs.toString().isEmpty())) {
      throw new BadRecordException("key column '" + k.name() + "' is empty");
    }
    if (k.type() == ColumnType.STRING) {
      return v.toString();
    }
    if (v instanceof Long || v instanceof Integer) {
      return ((Number) v).longValue();
    }
    try {
      return Long.parseLong(v.toString().trim());
    } catch (NumberFormatException e) {
      throw new BadRecordException("key column '" + k.name() + "' is '" + RecordDecoder.shown(v.toString()) + "', not an integer");
    }
  }

  private static Object fromText(Schema.Field f, String text) throws BadRecordException {
    Schema.Type type = nonNull(f.schema()).getType();
    try {
      switch (type) {
        case LONG:
          return Long.parseLong(text.trim());
        case DOUBLE:
          return Double.parseDouble(text.trim());
        case BOOLEAN:
          String b = text.trim().toLowerCase(Locale.ROOT);
          if (b.equals("true") || b.equals("false")) {
            return Boolean.parseBoolean(b);
          }
          throw new NumberFormatException();
        default:
          return RecordDecoder.unicodeText("column '" + f.name() + "'", text);
      }
    } catch (NumberFormatException e) {
      throw new BadRecordException("column '" + f.name() + "' is '" + RecordDecoder.shown(text) + "', not " + typeName(type));
    }
  }

  private static Object fromJson(Schema.Field f, JsonNode v) throws BadRecordException {
    Schema.Type type = nonNull(f.schema()).getType();
    switch (type) {
      case STRING:
        return RecordDecoder.unicodeText("column '" + f.name() + "'", v.isTextual() ? v.textValue() : v.toString());
      case LONG:
        if (v.isIntegralNumber() && v.canConvertToLong()) {
          return v.longValue();
        }
        break;
      case DOUBLE:
        if (v.isNumber()) {
          return v.doubleValue();
        }
        break;
      case BOOLEAN:
        if (v.isBoolean()) {
          return v.booleanValue();
        }
        break;
      default:
        break;
    }
    if (v.isTextual()) {
      return fromText(f, v.textValue());
    }
    throw new BadRecordException("column '" + f.name() + "' is " + RecordDecoder.shown(v.toString()) + ", not " + typeName(type));
  }

  private static String typeName(Schema.Type type) {
    return switch (type) {
      case LONG -> "an integer";
      case DOUBLE -> "a number";
      case BOOLEAN -> "true or false";
      default -> "a " + type.getName();
    };
  }

  private static Schema nonNull(Schema s) {
    if (s.getType() == Schema.Type.UNION) {
      for (Schema b : s.getTypes()) {
        if (b.getType() != Schema.Type.NULL) {
          return b;
        }
      }
    }
    return s;
  }

  private byte[] encode(GenericRecord r) throws BadRecordException {
    if (writer == null) {
      writer = new GenericDatumWriter<>(layout.schema());
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    encoder = EncoderFactory.get().binaryEncoder(bytes, encoder);
    try {
      writer.write(r, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      throw new BadRecordException("does not fit the spine's columns: " + e.getMessage());
    }
    return bytes.toByteArray();
  }
}
