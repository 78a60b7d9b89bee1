package io.featurepipe.pipelines.replay;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.model.SourceFormat;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes a dead letter's payload back into a {@link SourceRecord} with the current definition of
 * its source, the way the pipeline reads it. What the payload is depends on the step that rejected
 * the record:
 *
 * <ul>
 *   <li>a reading step ({@code ReadSourceFiles/}, {@code ReadKafka/}, {@code ReadFolder/},
 *       {@code ReadPubsub/}): the raw line or message, decoded by the source's format (a CSV line
 *       with the columns of its file's header when the file is still there, else the fields in
 *       order; {@code base64:} payloads are Avro messages, not replayed);
 *   <li>any later step ({@code CheckRecords/}, {@code PrepareGroups/}, {@code ClassifyLateness/})
 *       and the Avro and JDBC readers: the record as a JSON object named by the source's fields,
 *       timestamps as ISO-8601 instants.
 * </ul>
 */
final class ReplayDecoder {
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
  private static final List<String> RAW_STEPS =
      List.of("ReadSourceFiles/", "ReadKafka/", "ReadFolder/", "ReadPubsub/");

  private final SourceDef source;
  private final RecordDecoder decoder;
  private final OriginLines origins;

  ReplayDecoder(SourceDef source, OriginLines origins) {
    this.source = source;
    this.decoder = new RecordDecoder(source);
    this.origins = origins;
  }

  /** Whether the step's payload is the raw line or message (else the record as JSON). */
  static boolean rawPayload(String step) {
    return RAW_STEPS.stream().anyMatch(step::startsWith);
  }

  SourceRecord decode(DeadLetter d) throws BadRecordException {
    if (rawPayload(d.step())) {
      return decodeRaw(d.payload(), d.step().startsWith("ReadSourceFiles/") ? d.origin() : null);
    }
    return decodeJson(d.payload(), d.origin());
  }

  /** A raw line or message in the source's format; {@code fileOrigin} names its file and line. */
  SourceRecord decodeRaw(String payload, String fileOrigin) throws BadRecordException {
    if (payload.startsWith("base64:")) {
      throw new BadRecordException("a binary (Avro) message: replay it from its topic, not from a dead letter");
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
    JsonNode node;
    try {
      node = JSON.readTree(payload);
    } catch (IOException e) {
      throw new BadRecordException("not valid JSON");
    }
    if (node == null || !node.isObject()) {
      throw new BadRecordException("not a JSON object");
    }
    Map<String, Object> named = new HashMap<>();
    for (Field f : source.fields()) {
      JsonNode v = node.get(f.name());
      if (v == null || v.isNull()) {
        continue;
      }
      named.put(f.name(), value(f, v));
    }
    return decoder.fromValues(named, origin == null ? "" : origin);
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
