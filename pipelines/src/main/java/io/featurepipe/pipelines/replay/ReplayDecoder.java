package io.featurepipe.pipelines.replay;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.featurepipe.transforms.decode.AvroRecordDecoder;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.decode.SourceSchemas;
import io.featurepipe.transforms.model.SourceFormat;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Decodes a dead letter's payload back into a {@link SourceRecord} with the current definition of
 * its source, the way the pipeline reads it. What the payload is depends on the step that rejected
 * the record:
 *
 * <ul>
 *   <li>a reading step ({@code ReadSourceFiles/}, {@code ReadKafka/}, {@code ReadFolder/},
 *       {@code ReadPubsub/}): the raw line or message, decoded by the source's format (a CSV line
 *       with the columns of its file's header when the file is still there, else the fields in
 *       order); for an Avro source the message's datum as JSON (Avro's rendering, numbers of
 *       {@code timestamp-micros} fields as microseconds), or {@code base64:<bytes>} when it could
 *       not be read as a datum at all: the bytes are read again as {@code ReadKafka} reads them;
 *   <li>{@code ReadAvroFiles/}: the record as JSON (Avro's rendering); when the payload is still
 *       the record at its origin ({@code <file>#<n>}), that record itself is decoded, else the JSON
 *       with the writer schema of that file (or the derived schema when the file is gone) to tell
 *       {@code timestamp-millis/micros} numbers;
 *   <li>{@code ReadJdbc/}: the row as JSON, every column as the database's text (columns matched
 *       to fields ignoring case, SQL timestamp text read as UTC, {@code t}/{@code f} as booleans);
 *   <li>any later step ({@code CheckRecords/}, {@code PrepareGroups/}, {@code ClassifyLateness/}):
 *       the record as a JSON object named by the source's fields, timestamps as ISO-8601 instants.
 * </ul>
 */
final class ReplayDecoder {
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private static final List<String> RAW_STEPS =
      List.of("ReadSourceFiles/", "ReadKafka/", "ReadFolder/", "ReadPubsub/");

  /** SQL timestamp text: {@code 2026-01-08 10:00:00.123456[+00[:00]]}. */
  private static final DateTimeFormatter SQL_TIMESTAMP =
      new DateTimeFormatterBuilder()
          .appendPattern("yyyy-MM-dd HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HH:mm", "Z")
          .optionalEnd()
          .toFormatter(Locale.ROOT);

  private final SourceDef source;
  private final RecordDecoder decoder;
  private final OriginLines origins;
  private final AvroOrigins avroOrigins;
  private AvroRecords avro;
  private AvroRecordDecoder avroDecoder;

  ReplayDecoder(SourceDef source, OriginLines origins, AvroOrigins avroOrigins) {
    this.source = source;
    this.decoder = new RecordDecoder(source);
    this.origins = origins;
    this.avroOrigins = avroOrigins;
  }

  /** The bytes of a {@code base64:} payload (a message that was not text), or null. */
  static byte[] binary(String payload) {
    if (!payload.startsWith("base64:")) {
      return null;
    }
    try {
      return Base64.getDecoder().decode(payload.substring("base64:".length()));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  AvroRecords avro() {
    if (avro == null) {
      avro = new AvroRecords(source);
    }
    return avro;
  }

  /** Whether the step's payload is the raw line or message (else the record as JSON). */
  static boolean rawPayload(String step) {
    return RAW_STEPS.stream().anyMatch(step::startsWith);
  }

  SourceRecord decode(DeadLetter d) throws BadRecordException {
    if (d.step().startsWith("ReadAvroFiles/")) {
      return decodeAvroFileRecord(d.payload(), d.origin());
    }
    if (d.step().startsWith("ReadJdbc/")) {
      return decodeJdbcRow(d.payload(), d.origin());
    }
    if (rawPayload(d.step())) {
      return decodeRaw(d.payload(), d.step().startsWith("ReadSourceFiles/") ? d.origin() : null);
    }
    return decodeJson(d.payload(), d.origin());
  }

  /** A raw line or message in the source's format; {@code fileOrigin} names its file and line. */
  SourceRecord decodeRaw(String payload, String fileOrigin) throws BadRecordException {
    if (payload.startsWith("base64:")) {
      byte[] bytes = binary(payload);
      if (source.format() != SourceFormat.AVRO || bytes == null) {
        throw new BadRecordException("a binary message, not " + source.format().yamlName() + " text");
      }
      return avro().read(bytes, fileOrigin == null ? "" : fileOrigin);
    }
    if (source.format() == SourceFormat.AVRO) {
      return decodeAvroJson(payload, avro().schema(), "");
    }
    if (source.format() == SourceFormat.CSV) {
      List<String> header = null;
      if (fileOrigin != null && source.csvHeader()) {
        header = origins.csvHeader(fileOrigin, source.csvDelimiter());
      }
      if (header == null) {
        header = source.fields().stream().map(Field::name).toList();
      }
      return decoder.fromCsv(payload, header, fileOrigin == null ? "" : fileOrigin);
    }
    if (source.format() == SourceFormat.JSONL) {
      return decoder.fromJson(payload, "");
    }
    return decodeJson(payload, "");
  }

  /** A record written as JSON by the pipeline ({@code RecordDecoder.toJson}) or a reader. */
  SourceRecord decodeJson(String payload, String origin) throws BadRecordException {
    return decodeAvroJson(payload, null, origin);
  }

  /** The record at an Avro file origin when the payload is still it, else the payload's JSON. */
  SourceRecord decodeAvroFileRecord(String payload, String origin) throws BadRecordException {
    GenericRecord original = avroOrigins.record(origin);
    if (original != null && AvroRecordDecoder.toJson(original).equals(payload)) {
      return avroDecoder().decode(original, origin);
    }
    return decodeAvroJson(payload, original != null ? original.getSchema() : avro().schema(), origin);
  }

  /** The record at an Avro file origin, decoded now, or null when it is not there. */
  SourceRecord atAvroOrigin(String origin) throws BadRecordException {
    GenericRecord original = avroOrigins.record(origin);
    return original == null ? null : avroDecoder().decode(original, origin);
  }

  private AvroRecordDecoder avroDecoder() {
    if (avroDecoder == null) {
      avroDecoder = new AvroRecordDecoder(source);
    }
    return avroDecoder;
  }

  /**
   * An Avro record rendered as JSON ({@code GenericData.toString}): numbers in timestamp fields
   * whose type in {@code writer} is {@code timestamp-millis/micros} are instants in that unit
   * (with no writer schema, a record as JSON: numbers in the source's timestamp unit).
   */
  SourceRecord decodeAvroJson(String payload, Schema writer, String origin) throws BadRecordException {
    JsonNode node = RecordDecoder.objectOf(JSON, payload);
    Map<String, Object> named = new HashMap<>();
    for (Field f : source.fields()) {
      JsonNode v = node.get(f.name());
      if (v == null || v.isNull()) {
        continue;
      }
      Schema.Field wf = writer == null ? null : writer.getField(f.name());
      LogicalType logical = wf == null ? null : SourceSchemas.nonNull(wf.schema()).getLogicalType();
      String unit = logical == null ? "" : logical.getName();
      if (f.type() == ColumnType.TIMESTAMP && v.isIntegralNumber() && unit.endsWith("timestamp-millis")) {
        named.put(f.name(), Instant.ofEpochMilli(v.longValue()));
      } else if (f.type() == ColumnType.TIMESTAMP && v.isIntegralNumber() && unit.endsWith("timestamp-micros")) {
        long x = v.longValue();
        named.put(f.name(), Instant.ofEpochSecond(Math.floorDiv(x, 1_000_000L), Math.floorMod(x, 1_000_000L) * 1_000L));
      } else {
        named.put(f.name(), value(f, v));
      }
    }
    return decoder.fromValues(named, origin == null ? "" : origin);
  }

  /**
   * A JDBC row as {@code ReadJdbc} dead-letters it (columns by label, values as the database's
   * text), read as {@code ReadJdbc} reads the row: columns matched ignoring case, SQL timestamp
   * text as UTC instants, {@code t}/{@code f} as booleans.
   */
  SourceRecord decodeJdbcRow(String payload, String origin) throws BadRecordException {
    JsonNode node = RecordDecoder.objectOf(JSON, payload);
    Map<String, JsonNode> columns = new HashMap<>();
    node.fields().forEachRemaining(e -> columns.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
    Map<String, Object> named = new HashMap<>();
    for (Field f : source.fields()) {
      JsonNode v = columns.get(f.name().toLowerCase(Locale.ROOT));
      if (v == null || v.isNull()) {
        continue;
      }
      String text = v.isTextual() ? v.textValue() : v.toString();
      if (f.type() == ColumnType.TIMESTAMP) {
        named.put(f.name(), sqlTimestamp(text));
      } else if (f.type() == ColumnType.BOOL && (text.equals("t") || text.equals("f"))) {
        named.put(f.name(), text.equals("t"));
      } else {
        named.put(f.name(), text);
      }
    }
    return decoder.fromValues(named, origin == null ? "" : origin);
  }

  /** SQL timestamp text as an instant (no offset: UTC), or the text for the source's format. */
  private static Object sqlTimestamp(String text) {
    try {
      var parsed = SQL_TIMESTAMP.parse(text);
      return parsed.isSupported(ChronoField.OFFSET_SECONDS)
          ? OffsetDateTime.from(parsed).toInstant()
          : LocalDateTime.from(parsed).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return text;
    }
  }

  private static Object value(Field f, JsonNode v) {
    if (f.type() == ColumnType.TIMESTAMP && v.isTextual()) {
      try {
        return Instant.parse(v.textValue()); // as the pipeline writes it: full precision, UTC
      } catch (DateTimeException e) {
        return v.textValue(); // read by the source's format
      }
    }
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.longValue();
    }
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    return v.toString();
  }
}
