package io.featurepipe.runners.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.ValueType;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * Values of featurepipe's types ({@link ColumnType}: {@code Long}, {@code Double}, {@code Boolean},
 * {@code String}, {@code Long} epoch nanoseconds for timestamps; lists of those) to and from JSON
 * and command-line text: timestamps as ISO-8601 instants at full precision, lists as arrays. Input
 * is strict: a string key column takes a JSON string, an int one a JSON integer (or, on the command
 * line, its digits), and anything else fails naming what was given; a string holding an unpaired
 * surrogate (a JSON escape with no partner) fails, as the sources refuse it.
 */
public final class TypedValues {
  private TypedValues() {}

  /** The JSON form of a feature value. */
  public static JsonNode toJson(Object value, ValueType type) {
    if (value == null || !type.list()) {
      return toJson(value, type.element());
    }
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    for (Object e : (List<?>) value) {
      a.add(toJson(e, type.element()));
    }
    return a;
  }

  /** The JSON form of a scalar value. */
  public static JsonNode toJson(Object value, ColumnType type) {
    if (value == null) {
      return NullNode.instance;
    }
    return switch (type) {
      case STRING -> TextNode.valueOf((String) value);
      case INT64 -> LongNode.valueOf((Long) value);
      case DOUBLE -> DoubleNode.valueOf((Double) value);
      case BOOL -> BooleanNode.valueOf((Boolean) value);
      case TIMESTAMP -> TextNode.valueOf(AsOf.format((Long) value));
    };
  }

  /** A value sent as JSON; {@code what} names it in the error ("key column 'user_id'"). Null for JSON null. */
  public static Object fromJson(JsonNode node, ColumnType type, String what) {
    if (node == null || node.isNull()) {
      return null;
    }
    switch (type) {
      case STRING:
        if (node.isTextual()) {
          return unicodeText(node.textValue(), what);
        }
        break;
      case INT64:
        if (node.isIntegralNumber() && node.canConvertToLong()) {
          return node.longValue();
        }
        break;
      case DOUBLE:
        if (node.isNumber()) {
          return node.doubleValue();
        }
        break;
      case BOOL:
        if (node.isBoolean()) {
          return node.booleanValue();
        }
        break;
      case TIMESTAMP:
        if (node.isTextual()) {
          return timestamp(node.textValue(), what);
        }
        break;
    }
    throw new InvalidRequestException(
        what + " is " + type.yamlName() + ", not " + describe(node) + hintFor(type));
  }

  private static String unicodeText(String text, String what) {
    try {
      return RecordDecoder.unicodeText(what, text);
    } catch (BadRecordException e) {
      throw new InvalidRequestException(e.getMessage());
    }
  }

  /** A value written on the command line ({@code --key user_id=u1}). */
  public static Object fromText(String text, ColumnType type, String what) {
    switch (type) {
      case STRING:
        return unicodeText(text, what);
      case INT64:
        try {
          return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
          throw new InvalidRequestException(what + " is int, not '" + text + "'");
        }
      case DOUBLE:
        try {
          return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
          throw new InvalidRequestException(what + " is double, not '" + text + "'");
        }
      case BOOL:
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("true") || t.equals("false")) {
          return t.equals("true");
        }
        throw new InvalidRequestException(what + " is bool (true or false), not '" + text + "'");
      case TIMESTAMP:
      default:
        return timestamp(text, what);
    }
  }

  private static long timestamp(String text, String what) {
    try {
      return AsOf.nanos(OffsetDateTime.parse(text.trim()).toInstant());
    } catch (DateTimeParseException e) {
      throw new InvalidRequestException(
          what + " is a timestamp: an ISO-8601 time with Z or an offset, not '" + text + "'");
    }
  }

  private static String hintFor(ColumnType type) {
    return type == ColumnType.TIMESTAMP ? " (write it as an ISO-8601 string, e.g. \"2026-01-09T12:00:00Z\")" : "";
  }

  /** How a JSON value looks in a message: {@code the string "u1"}, {@code the number 4.5}. */
  static String describe(JsonNode node) {
    String text = node.toString();
    if (text.length() > 40) {
      text = text.substring(0, 37) + "...";
    }
    if (node.isTextual()) {
      return "the string " + text;
    }
    if (node.isNumber()) {
      return "the number " + text;
    }
    if (node.isBoolean()) {
      return text;
    }
    if (node.isArray()) {
      return "an array";
    }
    if (node.isObject()) {
      return "an object";
    }
    return text;
  }
}
