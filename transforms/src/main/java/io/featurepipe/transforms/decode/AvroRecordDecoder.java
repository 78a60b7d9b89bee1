package io.featurepipe.transforms.decode;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.SourceRecord;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/**
 * Turns an Avro {@link GenericRecord} (read with its writer's schema) into a {@link SourceRecord} by
 * the rules of {@link RecordDecoder}: fields are found by name, absent or null fields are null
 * unless required, strings are converted as text would be. Longs (or ints) with logical type
 * {@code timestamp-millis}, {@code timestamp-micros} (or their {@code local-} forms, read as UTC)
 * are instants at their full precision; a plain number in a timestamp field is read in the
 * source's {@code timestamp_format} unit, and a string by that format.
 *
 * <pre>{@code
 * AvroRecordDecoder decoder = new AvroRecordDecoder(source);
 * SourceRecord r = decoder.decode(genericRecord, "file.avro#12");   // or BadRecordException
 * String json = AvroRecordDecoder.toJson(genericRecord);           // for a dead letter
 * }</pre>
 */
public final class AvroRecordDecoder implements Serializable {
  private final RecordDecoder decoder;

  public AvroRecordDecoder(SourceDef source) {
    this.decoder = new RecordDecoder(source);
  }

  public SourceDef source() {
    return decoder.source();
  }

  /** Decodes one record; the message of the exception names the field and value. */
  public SourceRecord decode(GenericRecord record, String origin) throws BadRecordException {
    Schema schema = record.getSchema();
    Map<String, Object> named = new HashMap<>();
    for (Field f : decoder.source().fields()) {
      Schema.Field wf = schema.getField(f.name());
      if (wf == null) {
        continue;
      }
      Object v = record.get(wf.pos());
      if (v != null) {
        named.put(f.name(), javaValue(f, SourceSchemas.nonNull(wf.schema()), v));
      }
    }
    return decoder.fromValues(named, origin);
  }

  /** The record as JSON text (Avro's own rendering), for dead letters. */
  public static String toJson(GenericRecord record) {
    return GenericData.get().toString(record);
  }

  private static Object javaValue(Field f, Schema writer, Object v) throws BadRecordException {
    if (writer.getLogicalType() instanceof LogicalTypes.Decimal decimal
        && (v instanceof ByteBuffer || v instanceof GenericFixed)) {
      return decimal(v, decimal.getScale());
    }
    if (v instanceof ByteBuffer bytes) {
      return utf8(f, bytes);
    }
    if (v instanceof CharSequence || v instanceof GenericData.EnumSymbol) {
      return v.toString();
    }
    if (f.type() == ColumnType.TIMESTAMP && v instanceof Number n) {
      LogicalType logical = writer.getLogicalType();
      String name = logical == null ? "" : logical.getName();
      long x = n.longValue();
      switch (name) {
        case "timestamp-millis":
        case "local-timestamp-millis":
          return Instant.ofEpochMilli(x);
        case "timestamp-micros":
        case "local-timestamp-micros":
          return Instant.ofEpochSecond(Math.floorDiv(x, 1_000_000L), Math.floorMod(x, 1_000_000L) * 1_000L);
        default:
          return x;
      }
    }
    if (v instanceof Integer i) {
      return i.longValue();
    }
    if (v instanceof Float fl) {
      return fl.doubleValue();
    }
    return v;
  }

  /**
   * A decimal from its unscaled value: two's-complement big-endian bytes (Avro's and Parquet's
   * bytes and fixed decimals) or an int or long (Parquet's INT32 and INT64 decimals).
   */
  public static BigDecimal decimal(Object unscaled, int scale) {
    BigInteger n;
    if (unscaled instanceof ByteBuffer b) {
      byte[] bytes = new byte[b.remaining()];
      b.duplicate().get(bytes);
      n = new BigInteger(bytes);
    } else if (unscaled instanceof GenericFixed f) {
      n = new BigInteger(f.bytes());
    } else {
      n = BigInteger.valueOf(((Number) unscaled).longValue());
    }
    return new BigDecimal(n, scale);
  }

  private static String utf8(Field f, ByteBuffer bytes) throws BadRecordException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes.duplicate())
          .toString();
    } catch (CharacterCodingException e) {
      throw new BadRecordException("field '" + f.name() + "' holds bytes that are not UTF-8 text");
    }
  }
}
