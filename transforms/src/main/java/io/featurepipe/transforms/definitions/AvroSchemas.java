package io.featurepipe.transforms.definitions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.Location;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the fields of a source from an Avro schema ({@code .avsc}, JSON): a record whose fields are
 * {@code string}, {@code long}/{@code int}, {@code double}/{@code float}, {@code boolean}, or
 * {@code long} with logical type {@code timestamp-millis} / {@code timestamp-micros} (a timestamp).
 * A union with {@code null} makes a field optional; every other type is an error.
 */
final class AvroSchemas {
  private AvroSchemas() {}

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** The fields read, and what is wrong with the schema (empty when it is fine). */
  record Parsed(List<Field> fields, List<String> problems) {}

  /** Parses schema text; each field gets {@code location} (the {@code avro_schema} value). */
  static Parsed parse(String text, Location location) {
    List<Field> fields = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      problems.add("not valid JSON: " + RecordDecoder.jsonProblem(e));
      return new Parsed(fields, problems);
    }
    if (root == null
        || !root.isObject()
        || !"record".equals(root.path("type").asText())
        || !root.path("fields").isArray()) {
      problems.add("the schema must be a record with fields");
      return new Parsed(fields, problems);
    }
    for (JsonNode f : root.path("fields")) {
      String name = f.path("name").asText("");
      if (!f.path("name").isTextual()) {
        problems.add("a field has no name");
        continue;
      }
      String nameProblem = Names.checkColumn(name);
      if (nameProblem != null) {
        problems.add("field '" + name + "': " + nameProblem);
        continue;
      }
      JsonNode type = f.get("type");
      boolean optional = false;
      if (type != null && type.isArray()) {
        List<JsonNode> branches = new ArrayList<>();
        for (JsonNode b : type) {
          if (b.isTextual() && b.asText().equals("null")) {
            optional = true;
          } else {
            branches.add(b);
          }
        }
        type = branches.size() == 1 ? branches.get(0) : null;
        if (type == null) {
          problems.add(
              "field '"
                  + name
                  + "' has unsupported Avro type "
                  + f.get("type")
                  + " (a union other than [\"null\", T])");
          continue;
        }
      }
      ColumnType columnType = columnType(type);
      if (columnType == null) {
        problems.add(
            "field '"
                + name
                + "' has unsupported Avro type "
                + (type == null ? "(none)" : type.toString()));
        continue;
      }
      fields.add(new Field(name, columnType, !optional, location));
    }
    return new Parsed(fields, problems);
  }

  private static ColumnType columnType(JsonNode type) {
    if (type == null) {
      return null;
    }
    if (type.isTextual()) {
      switch (type.asText()) {
        case "string":
          return ColumnType.STRING;
        case "long":
        case "int":
          return ColumnType.INT64;
        case "double":
        case "float":
          return ColumnType.DOUBLE;
        case "boolean":
          return ColumnType.BOOL;
        default:
          return null;
      }
    }
    if (type.isObject() && type.path("type").isTextual()) {
      JsonNode logical = type.get("logicalType");
      if (logical == null) {
        return columnType(type.get("type"));
      }
      String l = logical.asText();
      boolean timestamp = l.equals("timestamp-millis") || l.equals("timestamp-micros");
      return timestamp && type.get("type").asText().equals("long") ? ColumnType.TIMESTAMP : null;
    }
    return null;
  }
}
