package io.featurepipe.transforms.definitions;

import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.TimestampParser;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.IoSpec;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.model.SourceFormat;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/** Checks a {@code kind: source} document and builds its {@link SourceDef}. */
final class SourceChecker {

  static final List<String> KEYS =
      List.of(
          "kind",
          "name",
          "description",
          "format",
          "timestamp",
          "timestamp_format",
          "fields",
          "avro_schema",
          "csv",
          "bounded",
          "unbounded",
          "watermark_delay",
          "allowed_lateness");

  private static final List<String> FIELD_KEYS = List.of("name", "type", "required");
  private static final List<String> CSV_KEYS = List.of("header", "delimiter");
  private static final List<String> TIMESTAMP_WORDS =
      List.of("iso8601", "epoch_seconds", "epoch_millis", "epoch_micros");
  private static final List<String> TYPE_NAMES =
      List.of("string", "int", "long", "int64", "double", "float", "bool", "boolean", "timestamp");

  /**
   * A checked source.
   *
   * @param def the definition (some parts null when they had errors), or null without a valid name
   * @param fieldsComplete whether every field was read with a name and type, so that groups can
   *     check their columns against it
   */
  record Result(SourceDef def, boolean fieldsComplete) {}

  private final Doc doc;
  private final YamlMap map;
  private final RepositoryFiles files;
  private boolean fieldsComplete = true;
  private String avroSchema;

  private SourceChecker(Doc doc, YamlMap map, RepositoryFiles files) {
    this.doc = doc;
    this.map = map;
    this.files = files;
  }

  static Result check(Doc doc, YamlMap map, RepositoryFiles files) {
    return new SourceChecker(doc, map, files).check();
  }

  private Result check() {
    String name = Names.readName(doc, map);
    String description = map.string("description", false);
    SourceFormat format = format();
    List<Field> fields = fields();
    String timestamp = map.string("timestamp", true);
    fields = markTimestamp(fields, timestamp);
    String timestampFormat = timestampFormat();
    boolean csvHeader = true;
    char csvDelimiter = ',';
    YamlMap csv = map.map("csv", false, CSV_KEYS);
    if (csv != null) {
      if (format != null && format != SourceFormat.CSV) {
        doc.error(
            csv.node(), "csv", "csv options apply only to format csv, not " + format.yamlName());
      }
      csvHeader = csv.bool("header", true);
      csvDelimiter = delimiter(csv);
    }
    IoSpec bounded = IoSpecs.read(doc, map, "bounded", true);
    IoSpec unbounded = IoSpecs.read(doc, map, "unbounded", false);
    Duration watermarkDelay =
        map.duration("watermark_delay", false, Duration.ZERO, YamlMap.Sign.NON_NEGATIVE);
    Duration allowedLateness =
        map.duration("allowed_lateness", false, Duration.ZERO, YamlMap.Sign.NON_NEGATIVE);
    if (name == null) {
      return new Result(null, false);
    }
    SourceDef def =
        new SourceDef(
            name,
            description,
            format,
            timestamp,
            timestampFormat,
            fields,
            avroSchema,
            bounded,
            unbounded,
            watermarkDelay,
            allowedLateness,
            csvHeader,
            csvDelimiter,
            doc.at(map.value("name")));
    return new Result(def, fieldsComplete);
  }

  private SourceFormat format() {
    String text = map.string("format", true);
    if (text == null) {
      return null;
    }
    return SourceFormat.parse(text)
        .orElseGet(
            () -> {
              List<String> known =
                  Arrays.stream(SourceFormat.values()).map(SourceFormat::yamlName).toList();
              doc.error(
                  map.value("format"),
                  "format",
                  "unknown format '"
                      + text
                      + "'; expected "
                      + String.join(", ", known)
                      + Names.suggest(text, known));
              return null;
            });
  }

  /** The fields, from {@code fields:} or {@code avro_schema:}; never null. */
  private List<Field> fields() {
    boolean hasFields = map.has("fields");
    boolean hasAvro = map.has("avro_schema");
    if (hasFields && hasAvro) {
      doc.error(map.value("avro_schema"), "avro_schema", "give fields or avro_schema, not both");
      fieldsComplete = false;
      return List.of();
    }
    if (!hasFields && !hasAvro) {
      if (!map.misspelled("fields") && !map.misspelled("avro_schema")) {
        doc.error(map.location(), "fields", "missing required key 'fields' (or 'avro_schema')");
      }
      fieldsComplete = false;
      return List.of();
    }
    List<Field> fields = hasFields ? listedFields() : avroFields();
    Map<String, Field> seen = new HashMap<>();
    List<Field> unique = new ArrayList<>();
    for (Field f : fields) {
      Field first = seen.putIfAbsent(f.name(), f);
      if (first == null) {
        unique.add(f);
      } else {
        doc.error(
            f.location(),
            hasFields ? "fields" : "avro_schema",
            "duplicate field '" + f.name() + "' (first at line " + first.location().line() + ")");
      }
    }
    return unique;
  }

  private List<Field> listedFields() {
    List<Node> items = map.list("fields", true);
    if (items == null) {
      fieldsComplete = false;
      return List.of();
    }
    if (items.isEmpty()) {
      doc.error(map.value("fields"), "fields", "a source needs at least one field");
    }
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Field f = field(items.get(i), "fields[" + i + "]");
      if (f == null) {
        fieldsComplete = false;
      } else {
        fields.add(f);
      }
    }
    return fields;
  }

  private Field field(Node node, String path) {
    return field(doc, node, path, name -> null);
  }

  /**
   * Reads a typed field {@code {name, type, required}} (of a source, or of a request); {@code
   * nameProblem} may refuse a valid column name (null: accepted). Null when wrong (reported).
   */
  static Field field(Doc doc, Node node, String path, java.util.function.UnaryOperator<String> nameProblem) {
    YamlMap f = YamlMap.of(doc, node, path, FIELD_KEYS);
    if (f == null) {
      return null;
    }
    String name = f.string("name", true);
    if (name != null) {
      String problem = Names.checkColumn(name);
      if (problem == null) {
        problem = nameProblem.apply(name);
      }
      if (problem != null) {
        doc.error(f.value("name"), f.field("name"), problem);
        name = null;
      }
    }
    ColumnType type = columnType(doc, f, "type");
    boolean required = f.bool("required", false);
    return name == null || type == null
        ? null
        : new Field(name, type, required, doc.at(f.value("name")));
  }

  /** Reads a required column type; null when missing or unknown (reported). */
  static ColumnType columnType(Doc doc, YamlMap m, String key) {
    String text = m.string(key, true);
    return text == null ? null : columnType(doc, m.value(key), m.field(key), text);
  }

  static ColumnType columnType(Doc doc, Node node, String field, String text) {
    return ColumnType.parse(text)
        .orElseGet(
            () -> {
              doc.error(
                  node,
                  field,
                  "unknown column type '"
                      + text
                      + "'; expected string, int, double, bool or timestamp"
                      + Names.suggest(text, TYPE_NAMES));
              return null;
            });
  }

  private List<Field> avroFields() {
    Node node = map.value("avro_schema");
    String path = YamlMap.text(doc, node, "avro_schema");
    fieldsComplete = false;
    if (path == null) {
      return List.of();
    }
    avroSchema = path;
    String normalized = RepositoryFiles.normalize(path);
    if (normalized == null) {
      doc.error(
          node,
          "avro_schema",
          "avro_schema '" + path + "' must be a path inside the repository folder, relative to it");
      return List.of();
    }
    String text;
    try {
      text = files.read(normalized);
    } catch (NoSuchFileException e) {
      doc.error(node, "avro_schema", "cannot read avro_schema '" + path + "': no such file");
      return List.of();
    } catch (IOException e) {
      doc.error(node, "avro_schema", "cannot read avro_schema '" + path + "': " + e.getMessage());
      return List.of();
    }
    AvroSchemas.Parsed parsed = AvroSchemas.parse(text, doc.at(node));
    for (String problem : parsed.problems()) {
      doc.error(node, "avro_schema", path + ": " + problem);
    }
    fieldsComplete = parsed.problems().isEmpty();
    return parsed.fields();
  }

  /** Checks the event-time column and marks it required (it always is). */
  private List<Field> markTimestamp(List<Field> fields, String timestamp) {
    if (timestamp == null) {
      return Collections.unmodifiableList(fields);
    }
    Node node = map.value("timestamp");
    List<Field> out = new ArrayList<>(fields);
    int index = -1;
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i).name().equals(timestamp)) {
        index = i;
      }
    }
    if (index < 0) {
      if (fieldsComplete) {
        doc.error(
            node,
            "timestamp",
            "timestamp column '"
                + timestamp
                + "' is not a field of the source"
                + Names.suggest(timestamp, out.stream().map(Field::name).toList()));
      }
    } else {
      Field f = out.get(index);
      if (f.type() != ColumnType.TIMESTAMP) {
        doc.error(
            node,
            "timestamp",
            "timestamp column '" + timestamp + "' is " + f.type().yamlName() + ", not timestamp");
      }
      out.set(index, new Field(f.name(), f.type(), true, f.location()));
    }
    return Collections.unmodifiableList(out);
  }

  private String timestampFormat() {
    String format = map.string("timestamp_format", true);
    if (format == null) {
      return null;
    }
    String problem = timestampFormatProblem(format);
    if (problem != null) {
      doc.error(map.value("timestamp_format"), "timestamp_format", problem);
      return null;
    }
    return format;
  }

  /** Null when the format is a known word or a pattern that reads a point in time. */
  static String timestampFormatProblem(String format) {
    if (TIMESTAMP_WORDS.contains(format)) {
      return null;
    }
    String words = String.join(", ", TIMESTAMP_WORDS);
    String hint = Names.suggest(format, TIMESTAMP_WORDS);
    if (!hint.isEmpty()) {
      return "invalid timestamp_format '" + format + "'" + hint;
    }
    if (!TimestampParser.isValidFormat(format)) {
      String why;
      try {
        DateTimeFormatter.ofPattern(format);
        why = "";
      } catch (IllegalArgumentException e) {
        why = " (" + e.getMessage() + ")";
      }
      return "invalid timestamp_format '"
          + format
          + "': not one of "
          + words
          + " and not a valid DateTimeFormatter pattern"
          + why;
    }
    // A pattern must read a whole point in time: format one, then parse it back.
    Instant probe = Instant.parse("2024-03-05T06:07:08.123456789Z");
    try {
      String text = DateTimeFormatter.ofPattern(format).withZone(ZoneOffset.UTC).format(probe);
      new TimestampParser(format).parse(text);
      return null;
    } catch (BadRecordException | RuntimeException e) {
      return "invalid timestamp_format '"
          + format
          + "': the pattern does not read a point in time (it needs a date and a time of day)";
    }
  }

  private char delimiter(YamlMap csv) {
    String d = csv.string("delimiter", false);
    if (d == null) {
      return ',';
    }
    if (d.length() != 1) {
      doc.error(
          csv.value("delimiter"),
          csv.field("delimiter"),
          "delimiter must be one character, not '" + d + "'");
      return ',';
    }
    return d.charAt(0);
  }
}
