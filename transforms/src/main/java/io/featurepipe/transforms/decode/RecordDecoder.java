package io.featurepipe.transforms.decode;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.record.Wtf8;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Turns a source's raw records (a JSON line, a CSV line, or a map of values from Avro or JDBC) into
 * typed {@link SourceRecord}s following the source definition, or explains with a
 * {@link BadRecordException} which field and value is wrong.
 *
 * <p>Fields the definition does not declare are ignored. A declared field that is absent or null is
 * null, unless it is {@code required} (then the record is bad). Conversions are strict but accept
 * the common encodings: integers from JSON integers or integer text; doubles from numbers or
 * numeric text ({@code NaN}, {@code Infinity} included); booleans from {@code true}/{@code false}
 * in any case; timestamps per the source's {@code timestamp_format}.
 */
public final class RecordDecoder implements Serializable {
  /** Refuses a line with more after its object ({@code {...} x}): not one valid JSON value. */
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Reads a declared field's array or object value, inside a line (no end-of-input check). */
  private static final ObjectReader NESTED =
      JSON.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final SourceDef source;
  /** Field name → position in the source's fields. */
  private final Map<String, Integer> positions = new HashMap<>();
  private final int timestampIndex;
  private final TimestampParser timestamps;

  public RecordDecoder(SourceDef source) {
    this.source = source;
    this.timestampIndex = source.indexOf(source.timestampColumn());
    if (timestampIndex < 0) {
      throw new IllegalArgumentException(
          "source '" + source.name() + "' has no timestamp column " + source.timestampColumn());
    }
    this.timestamps = new TimestampParser(source.timestampFormat());
    List<Field> fields = source.fields();
    for (int i = 0; i < fields.size(); i++) {
      positions.putIfAbsent(fields.get(i).name(), i);
    }
  }

  public SourceDef source() {
    return source;
  }

  /**
   * One line of a JSON lines file (or one message) as a JSON object, or why it is not one: not
   * valid JSON, more after the object, or another value. The training set's spine reads its lines
   * with it too.
   */
  public static JsonNode objectOfLine(String line) throws BadRecordException {
    return objectOf(JSON, line);
  }

  /**
   * As {@link #objectOfLine}, read by {@code json} (a mapper with {@code FAIL_ON_TRAILING_TOKENS}
   * and its own reading features): replay reads the payloads the pipeline wrote with it.
   */
  public static JsonNode objectOf(ObjectMapper json, String line) throws BadRecordException {
    JsonNode node;
    try {
      node = json.readTree(line);
    } catch (JsonProcessingException e) {
      throw new BadRecordException("not valid JSON: " + jsonProblem(e));
    }
    if (node == null || !node.isObject()) {
      throw new BadRecordException("not a JSON object");
    }
    return node;
  }

  /**
   * What is wrong with JSON text a parser refused (one reading with {@code FAIL_ON_TRAILING_TOKENS}):
   * Jackson's message, except that content after the value reads "more after the object", not the
   * name of Jackson's setting.
   */
  public static String jsonProblem(JsonProcessingException e) {
    return e.getOriginalMessage().startsWith("Trailing token") ? "more after the object" : e.getOriginalMessage();
  }

  /**
   * Decodes one JSON object. The line is read as a stream of tokens: a declared field's value
   * becomes the node a tree reading gives it (its last one, if the field is given twice), every
   * other field's value is skipped, still checked as JSON, and no tree of the whole object is built
   * (decoding JSON lines took 11% of the offline benchmark's backfill CPU samples through the tree,
   * 8-9% this way). The result, or the reason a line is refused, is that of {@link
   * #fromJsonTree}, which {@code JsonRecordDecoderTest} checks.
   */
  public SourceRecord fromJson(String line, String origin) throws BadRecordException {
    JsonNode[] nodes = new JsonNode[source.fields().size()];
    String differingInCase = null;
    try (JsonParser p = JSON.createParser(line)) {
      JsonToken first;
      try {
        first = p.nextToken();
      } catch (JsonProcessingException e) {
        first = null;
      }
      if (first != JsonToken.START_OBJECT) {
        objectOfLine(line); // throws: not valid JSON, or not an object
        throw new IllegalStateException("not read as an object: " + line);
      }
      for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
        JsonToken token = p.nextToken();
        Integer i = positions.get(name);
        if (i == null) {
          if (differingInCase == null && source.indexDifferingInCase(name) >= 0) {
            differingInCase = name;
          }
          skip(p, token);
        } else {
          nodes[i] = node(p, token);
        }
      }
      if (p.nextToken() != null) {
        throw new BadRecordException("not valid JSON: more after the object");
      }
    } catch (JsonProcessingException e) {
      throw new BadRecordException("not valid JSON: " + jsonProblem(e));
    } catch (IOException e) {
      throw new UncheckedIOException("reading a string", e); // a string source does no I/O
    }
    if (differingInCase != null) {
      requireExactNames(objectOfLine(line)); // rare: read again as a tree, in the tree's order
    }
    return fromNodes(nodes, origin);
  }

  /** Refuses an object naming a field only in another case than the definition does. */
  private void requireExactNames(JsonNode object) throws BadRecordException {
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      requireExactName(names.next(), object::has, "field");
    }
  }

  /**
   * Refuses a record where {@code found} names a field in another case only, and the field itself is
   * not {@link Predicate present}: its value would silently be null ({@link
   * SchemaEvolution#differsInCase}).
   */
  private void requireExactName(String found, Predicate<String> present, String what) throws BadRecordException {
    int i = source.indexDifferingInCase(found);
    if (i >= 0 && !present.test(source.fields().get(i).name())) {
      throw new BadRecordException(SchemaEvolution.differsInCase(source.fields().get(i).name(), what, found));
    }
  }

  /**
   * Skips the value at {@code token}, reading its tokens the way Jackson's tree reading does (an
   * object's fields by {@code nextFieldName}, an array's items by {@code nextToken}), so that
   * malformed JSON inside it is refused with the same message ({@code skipChildren} words some
   * errors differently). A string's text is read too: Jackson checks a string against its length
   * limit only then.
   */
  private static void skip(JsonParser p, JsonToken token) throws IOException {
    if (token == JsonToken.VALUE_STRING) {
      p.getText();
    } else if (token == JsonToken.START_OBJECT) {
      while (p.nextFieldName() != null) {
        skip(p, p.nextToken());
      }
    } else if (token == JsonToken.START_ARRAY) {
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        skip(p, t);
      }
    }
  }

  /** The node Jackson's tree reading makes of the value at {@code token}; null for JSON null. */
  private static JsonNode node(JsonParser p, JsonToken token) throws IOException {
    switch (token) {
      case VALUE_STRING:
        return TextNode.valueOf(p.getText());
      case VALUE_NUMBER_INT:
        switch (p.getNumberType()) {
          case INT:
            return IntNode.valueOf(p.getIntValue());
          case LONG:
            return LongNode.valueOf(p.getLongValue());
          default:
            return BigIntegerNode.valueOf(p.getBigIntegerValue());
        }
      case VALUE_NUMBER_FLOAT:
        return DoubleNode.valueOf(p.getDoubleValue());
      case VALUE_TRUE:
        return BooleanNode.TRUE;
      case VALUE_FALSE:
        return BooleanNode.FALSE;
      case VALUE_NULL:
        return null;
      default: // an array or an object
        return NESTED.readTree(p);
    }
  }

  /**
   * Decodes one JSON object read as a whole tree: what {@link #fromJson} does, the straightforward
   * way, kept as the reference its tests compare it with.
   */
  SourceRecord fromJsonTree(String line, String origin) throws BadRecordException {
    JsonNode node = objectOfLine(line);
    requireExactNames(node);
    JsonNode[] nodes = new JsonNode[source.fields().size()];
    for (int i = 0; i < nodes.length; i++) {
      nodes[i] = node.get(source.fields().get(i).name());
    }
    return fromNodes(nodes, origin);
  }

  /** The record of each declared field's JSON value (null or absent: null), in field order. */
  private SourceRecord fromNodes(JsonNode[] nodes, String origin) throws BadRecordException {
    List<Field> fields = source.fields();
    Object[] values = new Object[fields.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode v = nodes[i];
      values[i] = (v == null || v.isNull()) ? null : fromJsonNode(fields.get(i), v);
    }
    return finish(values, origin);
  }

  /** Decodes one CSV line, given the column names of its file (from the header or the fields). */
  public SourceRecord fromCsv(String line, List<String> header, String origin)
      throws BadRecordException {
    List<String> rec;
    try {
      rec = CsvLine.fields(line, source.csvDelimiter());
    } catch (IOException e) {
      throw new BadRecordException("not valid CSV: " + e.getMessage());
    }
    if (rec.size() != header.size()) {
      throw new BadRecordException(
          "has " + rec.size() + " columns where the header has " + header.size());
    }
    List<Field> fields = source.fields();
    Object[] values = new Object[fields.size()];
    for (int c = 0; c < header.size(); c++) {
      int i = source.indexOf(header.get(c));
      if (i < 0) {
        requireExactName(header.get(c), header::contains, "column");
        continue;
      }
      String text = rec.get(c);
      values[i] = text.isEmpty() ? null : fromText(fields.get(i), text);
    }
    return finish(values, origin);
  }

  /**
   * Decodes named Java values (from Avro, JDBC, ...): strings, numbers (integral
   * {@link java.math.BigDecimal}s too), booleans, and for timestamps {@link Instant}s,
   * {@link java.sql.Timestamp}s, {@link java.time.OffsetDateTime}s,
   * {@link java.time.LocalDateTime}s (read as UTC) or epoch numbers in the source's unit.
   */
  public SourceRecord fromValues(Map<String, ?> named, String origin) throws BadRecordException {
    List<Field> fields = source.fields();
    Object[] values = new Object[fields.size()];
    for (int i = 0; i < values.length; i++) {
      Field f = fields.get(i);
      Object v = named.get(f.name());
      values[i] = v == null ? null : fromJava(f, v);
    }
    return finish(values, origin);
  }

  /** The record as a JSON object with the source's field names, for dead letters and late data. */
  public String toJson(SourceRecord record) {
    ObjectNode o = JSON.createObjectNode();
    List<Field> fields = source.fields();
    for (int i = 0; i < fields.size(); i++) {
      Field f = fields.get(i);
      Object v = record.value(i);
      if (v == null) {
        o.putNull(f.name());
      } else if (f.type() == ColumnType.TIMESTAMP) {
        long nanos = (Long) v;
        o.put(
            f.name(),
            Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L))
                .toString());
      } else if (v instanceof Long l) {
        o.put(f.name(), l);
      } else if (v instanceof Double d) {
        o.put(f.name(), d);
      } else if (v instanceof Boolean b) {
        o.put(f.name(), b);
      } else {
        o.put(f.name(), v.toString());
      }
    }
    return o.toString();
  }

  private SourceRecord finish(Object[] values, String origin) throws BadRecordException {
    List<Field> fields = source.fields();
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null && (fields.get(i).required() || i == timestampIndex)) {
        throw new BadRecordException("required field '" + fields.get(i).name() + "' is missing");
      }
    }
    return new SourceRecord(source.name(), (Long) values[timestampIndex], values, origin);
  }

  private Object fromJsonNode(Field f, JsonNode v) throws BadRecordException {
    switch (f.type()) {
      case STRING:
        if (!v.isTextual()) {
          throw bad(f, v.toString(), "a string");
        }
        return unicodeText("field '" + f.name() + "'", v.textValue());
      case INT64:
        if (v.isIntegralNumber() && v.canConvertToLong()) {
          return v.longValue();
        }
        if (v.isTextual()) {
          return fromText(f, v.textValue());
        }
        throw bad(f, v.toString(), "an integer");
      case DOUBLE:
        if (v.isNumber()) {
          return v.doubleValue();
        }
        if (v.isTextual()) {
          return fromText(f, v.textValue());
        }
        throw bad(f, v.toString(), "a number");
      case BOOL:
        if (v.isBoolean()) {
          return v.booleanValue();
        }
        if (v.isTextual()) {
          return fromText(f, v.textValue());
        }
        throw bad(f, v.toString(), "a boolean");
      case TIMESTAMP:
        if (v.isIntegralNumber() && v.canConvertToLong()) {
          return timestamp(f, v.longValue());
        }
        if (v.isTextual()) {
          return fromText(f, v.textValue());
        }
        throw bad(f, v.toString(), "a timestamp");
      default:
        throw new IllegalStateException(f.type().toString());
    }
  }

  private Object fromText(Field f, String text) throws BadRecordException {
    switch (f.type()) {
      case STRING:
        return unicodeText("field '" + f.name() + "'", text);
      case INT64:
        try {
          return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
          throw bad(f, text, "an integer");
        }
      case DOUBLE:
        try {
          return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
          throw bad(f, text, "a number");
        }
      case BOOL:
        String t = text.trim();
        if (t.equalsIgnoreCase("true")) {
          return Boolean.TRUE;
        }
        if (t.equalsIgnoreCase("false")) {
          return Boolean.FALSE;
        }
        throw bad(f, text, "a boolean");
      case TIMESTAMP:
        try {
          return timestamps(f).parse(text);
        } catch (BadRecordException e) {
          throw new BadRecordException("field '" + f.name() + "': " + e.getMessage());
        }
      default:
        throw new IllegalStateException(f.type().toString());
    }
  }

  private Object fromJava(Field f, Object v) throws BadRecordException {
    if (v instanceof CharSequence cs) {
      return fromText(f, cs.toString());
    }
    switch (f.type()) {
      case STRING:
        return unicodeText("field '" + f.name() + "'", v.toString());
      case INT64:
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
          return ((Number) v).longValue();
        }
        if (v instanceof java.math.BigDecimal || v instanceof java.math.BigInteger) {
          try {
            return new java.math.BigDecimal(v.toString()).longValueExact();
          } catch (ArithmeticException e) {
            throw bad(f, v.toString(), "an integer");
          }
        }
        throw bad(f, v.toString(), "an integer");
      case DOUBLE:
        if (v instanceof Number n) {
          return n.doubleValue();
        }
        throw bad(f, v.toString(), "a number");
      case BOOL:
        if (v instanceof Boolean b) {
          return b;
        }
        throw bad(f, v.toString(), "a boolean");
      case TIMESTAMP:
        if (v instanceof Instant i) {
          return nanos(f, i);
        }
        if (v instanceof java.sql.Timestamp ts) {
          return nanos(f, ts.toInstant());
        }
        if (v instanceof java.time.OffsetDateTime odt) {
          return fromJava(f, odt.toInstant());
        }
        if (v instanceof java.time.LocalDateTime ldt) {
          return fromJava(f, ldt.toInstant(java.time.ZoneOffset.UTC));
        }
        if (v instanceof Long || v instanceof Integer) {
          return timestamp(f, ((Number) v).longValue());
        }
        throw bad(f, v.toString(), "a timestamp");
      default:
        throw new IllegalStateException(f.type().toString());
    }
  }

  /** An instant in epoch nanoseconds; one outside their range (1677 to 2262) is bad input. */
  private static long nanos(Field f, Instant i) throws BadRecordException {
    try {
      return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
    } catch (ArithmeticException e) {
      throw bad(f, i.toString(), "a timestamp in range (1677-09-21 to 2262-04-11, as nanoseconds hold)");
    }
  }

  private long timestamp(Field f, long number) throws BadRecordException {
    try {
      return timestamps(f).fromNumber(number);
    } catch (BadRecordException e) {
      throw new BadRecordException("field '" + f.name() + "': " + e.getMessage());
    } catch (ArithmeticException e) {
      throw bad(f, Long.toString(number), "a timestamp in range");
    }
  }

  /** Timestamp columns other than the event-time column are read as ISO-8601 unless numeric. */
  private TimestampParser timestamps(Field f) {
    return f.name().equals(source.timestampColumn()) ? timestamps : ISO;
  }

  private static final TimestampParser ISO = new TimestampParser("iso8601");

  /**
   * {@code value}, or a {@link BadRecordException} saying where {@code what} (the field or column,
   * as the message names it) holds an unpaired surrogate: what a JSON escape of a surrogate with no
   * partner makes, or a UTF-16 database's text read through JDBC. Such a string is not Unicode
   * text: the offline store's Avro strings (UTF-8) cannot hold it, so stored it would read back
   * otherwise offline than online. The reason shows the value with its lone surrogates escaped.
   */
  public static String unicodeText(String what, String value) throws BadRecordException {
    int at = Wtf8.unpairedSurrogate(value);
    if (at < 0) {
      return value;
    }
    throw new BadRecordException(
        what + " is '" + shown(value) + "', which holds an unpaired surrogate (" + escaped(value.charAt(at))
            + " at character " + (value.codePointCount(0, at) + 1) + "): not Unicode text, which featurepipe stores as UTF-8");
  }

  /**
   * A value as a reason shows it: unpaired surrogates escaped (a dead letter is written as UTF-8,
   * which would turn them into '?'), cut after about 80 characters (77 and "...").
   */
  public static String shown(String value) {
    if (value.length() <= 80 && Wtf8.unpairedSurrogate(value) < 0) {
      return value;
    }
    StringBuilder shown = new StringBuilder();
    int i = 0;
    for (; i < value.length() && shown.length() < 77; i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        shown.append(c).append(value.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        shown.append(escaped(c));
      } else {
        shown.append(c);
      }
    }
    return i < value.length() ? shown.append("...").toString() : shown.toString();
  }

  /**
   * JSON text with every surrogate written as its escape: the same JSON value, as UTF-8 bytes
   * keep it. A JSON writer copies a string's surrogates as they are, and an unpaired one would
   * become '?' in a UTF-8 file (a JDBC row's dead letter: some databases' strings are UTF-16 and
   * may hold one). Surrogates occur only inside JSON strings, where their escapes mean the same.
   */
  public static String withSurrogatesEscaped(String json) {
    StringBuilder b = null;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (Character.isSurrogate(c)) {
        if (b == null) {
          b = new StringBuilder(json.length() + 16).append(json, 0, i);
        }
        b.append(escaped(c));
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? json : b.toString();
  }

  private static String escaped(char c) {
    return String.format("\\u%04x", (int) c);
  }

  private static BadRecordException bad(Field f, String value, String expected) {
    return new BadRecordException(
        "field '" + f.name() + "' is " + (value.isEmpty() ? "empty" : "'" + shown(value) + "'") + ", not " + expected);
  }
}
