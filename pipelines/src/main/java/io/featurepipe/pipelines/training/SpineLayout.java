package io.featurepipe.pipelines.training;

import com.fasterxml.jackson.databind.JsonNode;
import io.featurepipe.pipelines.ingest.parquet.ParquetRows;
import io.featurepipe.sinks.training.FeatureSelection;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.CsvLine;
import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.decode.SourceSchemas;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.Field;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * A spine's files and columns, found when the pipeline is built: the files (in name order), and
 * its columns as an Avro record schema that the training set copies.
 *
 * <ul>
 *   <li>CSV: the header of the first file names the columns; values are strings (an empty field
 *       is null) unless declared, entity key columns take their entity's type.
 *   <li>JSON lines: the columns are those of the first {@value #SAMPLE_LINES} lines in order of
 *       appearance, typed by their JSON values (integers: long, other numbers: double, booleans,
 *       strings; objects, arrays and columns of mixed types: their JSON text as a string) unless
 *       declared; entity key columns take their entity's type.
 *   <li>Avro: the first file's schema, as it is (other files are read into it by Avro's schema
 *       resolution).
 *   <li>Parquet: the first file's columns as Avro ({@link ParquetRows#schema}: INT96 and
 *       nanosecond timestamps as {@code timestamp-micros}, unsigned integers as longs, decimals as
 *       doubles or longs); every other file must have the same columns and types.
 * </ul>
 */
public final class SpineLayout implements Serializable {
  static final int SAMPLE_LINES = 1000;

  private final SpineSource source;
  private final SpineFormat format;
  private final List<String> files;
  private final String schemaJson;
  private transient Schema schema;

  private SpineLayout(SpineSource source, SpineFormat format, List<String> files, Schema schema) {
    this.source = source;
    this.format = format;
    this.files = List.copyOf(files);
    this.schemaJson = schema.toString();
    this.schema = schema;
  }

  /**
   * Finds the spine's files and columns and checks them against the selection.
   *
   * @throws IllegalArgumentException naming the file and what is wrong: no file, no timestamp
   *     column, a missing entity key column, a column name Avro cannot hold
   */
  public static SpineLayout inspect(SpineSource source, FeatureSelection selection) {
    List<String> files = match(source.pattern());
    SpineFormat format = source.format();
    if (format == null) {
      format = SpineFormat.ofFileName(files.get(0));
      for (String f : files) {
        if (SpineFormat.ofFileName(f) != format) {
          throw new IllegalArgumentException("spine files " + files.get(0) + " and " + f + " are of different formats");
        }
      }
    }
    if ((format == SpineFormat.AVRO || format == SpineFormat.PARQUET) && !source.columnTypes().isEmpty()) {
      throw new IllegalArgumentException((format == SpineFormat.AVRO ? "an Avro" : "a Parquet")
          + " spine carries its own column types: declare none");
    }
    String first = files.get(0);
    Schema schema;
    try {
      schema =
          switch (format) {
            case CSV -> typed(first, csvHeader(first), Map.of(), source, selection);
            case JSONL -> jsonSchema(first, source, selection);
            case AVRO -> avroSchema(first);
            case PARQUET -> parquetSchema(files);
          };
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read spine file " + first + ": " + e.getMessage(), e);
    }
    List<String> names = new ArrayList<>();
    schema.getFields().forEach(f -> names.add(f.name()));
    if (!names.contains(source.timestampColumn())) {
      throw new IllegalArgumentException(
          "spine " + first + " has no timestamp column '" + source.timestampColumn() + "'; its columns: " + String.join(", ", names));
    }
    for (Field k : selection.keyColumns()) {
      if (!names.contains(k.name())) {
        throw new IllegalArgumentException(
            "spine " + first + " has no column '" + k.name() + "', a key of " + entitiesKeyedBy(selection, k.name())
                + "; a spine row must carry the keys of every entity asked for. Its columns: " + String.join(", ", names));
      }
      if (k.type() != ColumnType.STRING && k.type() != ColumnType.INT64) {
        throw new IllegalArgumentException("entity key '" + k.name() + "' is " + k.type().yamlName() + ": spines support string and int keys");
      }
    }
    return new SpineLayout(source, format, files, schema);
  }

  private static String entitiesKeyedBy(FeatureSelection selection, String key) {
    List<String> out = new ArrayList<>();
    selection.groups().forEach(g -> {
      if (selection.entityOf(g).keys().stream().anyMatch(f -> f.name().equals(key))) {
        out.add("entity '" + g.entity() + "' (group " + g.name() + ")");
      }
    });
    return String.join(", ", out);
  }

  public SpineSource source() {
    return source;
  }

  public SpineFormat format() {
    return format;
  }

  /** The spine files, in the order their rows are numbered. */
  public List<String> files() {
    return files;
  }

  /** The spine's columns as an Avro record schema. */
  public Schema schema() {
    if (schema == null) {
      schema = new Schema.Parser().parse(schemaJson);
    }
    return schema;
  }

  private static List<String> match(String pattern) {
    try {
      MatchResult m = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
      List<String> files = new ArrayList<>();
      if (m.status() == MatchResult.Status.OK) {
        m.metadata().forEach(md -> files.add(md.resourceId().toString()));
      }
      if (files.isEmpty()) {
        throw new IllegalArgumentException("no spine file matches " + pattern);
      }
      files.sort(null);
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list spine files " + pattern, e);
    }
  }

  static InputStream open(String file) throws IOException {
    return Channels.newInputStream(
        Compression.detect(file).readDecompressed(FileSystems.open(FileSystems.matchSingleFileSpec(file).resourceId())));
  }

  private static List<String> csvHeader(String file) throws IOException {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8))) {
      String line = r.readLine();
      if (line == null || line.isBlank()) {
        throw new IllegalArgumentException("spine " + file + " has no header line naming its columns");
      }
      return headerOf(line);
    }
  }

  /** The column names a CSV header line gives (a byte-order mark and blanks around names dropped). */
  static List<String> headerOf(String line) throws IOException {
    List<String> header = new ArrayList<>();
    for (String h : CsvLine.fields(line.startsWith("\uFEFF") ? line.substring(1) : line, ',')) {
      header.add(h.trim());
    }
    return header;
  }

  private static Schema jsonSchema(String file, SpineSource source, FeatureSelection selection) throws IOException {
    Map<String, ColumnType> inferred = new LinkedHashMap<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8))) {
      String line;
      int lines = 0;
      while ((line = r.readLine()) != null && lines < SAMPLE_LINES) {
        if (line.isBlank()) {
          continue;
        }
        lines++;
        JsonNode node;
        try {
          node = RecordDecoder.objectOfLine(line);
        } catch (BadRecordException e) {
          continue; // a bad line becomes a dead letter when read
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          ColumnType t = jsonType(e.getValue());
          inferred.putIfAbsent(e.getKey(), null);
          if (t != null) {
            ColumnType known = inferred.get(e.getKey());
            if (known == null) {
              inferred.put(e.getKey(), t);
            } else if (known != t) {
              boolean numbers = (known == ColumnType.INT64 || known == ColumnType.DOUBLE)
                  && (t == ColumnType.INT64 || t == ColumnType.DOUBLE);
              inferred.put(e.getKey(), numbers ? ColumnType.DOUBLE : ColumnType.STRING);
            }
          }
        }
      }
    }
    List<String> columns = new ArrayList<>(inferred.keySet());
    for (String declared : source.columnTypes().keySet()) {
      if (!columns.contains(declared)) {
        columns.add(declared);
      }
    }
    return typed(file, columns, inferred, source, selection);
  }

  /** The JSON type of a value: null for null, STRING for text, objects and arrays. */
  static ColumnType jsonType(JsonNode v) {
    if (v.isNull()) {
      return null;
    }
    if (v.isIntegralNumber()) {
      return v.canConvertToLong() ? ColumnType.INT64 : ColumnType.DOUBLE;
    }
    if (v.isNumber()) {
      return ColumnType.DOUBLE;
    }
    if (v.isBoolean()) {
      return ColumnType.BOOL;
    }
    return ColumnType.STRING;
  }

  /** A record schema of columns: keys typed by their entity, then declared, then inferred types, else string. */
  private static Schema typed(
      String file, List<String> columns, Map<String, ColumnType> inferred, SpineSource source, FeatureSelection selection) {
    Map<String, ColumnType> keys = new LinkedHashMap<>();
    selection.keyColumns().forEach(k -> keys.put(k.name(), k.type()));
    List<Schema.Field> fields = new ArrayList<>();
    for (String c : columns) {
      if (fields.stream().anyMatch(f -> f.name().equals(c))) {
        throw new IllegalArgumentException("spine " + file + " has two columns named '" + c + "'");
      }
      ColumnType type =
          keys.containsKey(c) ? keys.get(c)
              : source.columnTypes().containsKey(c) ? source.columnTypes().get(c)
              : inferred.get(c) != null ? inferred.get(c)
              : ColumnType.STRING;
      Schema s = Schema.create(avroType(type));
      boolean required = keys.containsKey(c) || c.equals(source.timestampColumn());
      try {
        fields.add(
            required
                ? new Schema.Field(c, s, keys.containsKey(c) ? "entity key" : "spine time")
                : new Schema.Field(c, Schema.createUnion(Schema.create(Schema.Type.NULL), s), null, Schema.Field.NULL_DEFAULT_VALUE));
      } catch (AvroRuntimeException e) {
        throw new IllegalArgumentException(
            "spine " + file + ": column name '" + c + "' cannot be an Avro field name (letters, digits and _,"
                + " not starting with a digit); rename it");
      }
    }
    return Schema.createRecord("spine", "the columns of a spine", "io.featurepipe.training", false, fields);
  }

  static Schema.Type avroType(ColumnType t) {
    return switch (t) {
      case INT64 -> Schema.Type.LONG;
      case DOUBLE -> Schema.Type.DOUBLE;
      case BOOL -> Schema.Type.BOOLEAN;
      default -> Schema.Type.STRING;
    };
  }

  private static Schema parquetSchema(List<String> files) throws IOException {
    Schema first = ParquetRows.schema(files.get(0));
    for (String f : files.subList(1, files.size())) {
      Schema other = ParquetRows.schema(f);
      if (!sameColumns(first, other)) {
        throw new IllegalArgumentException("spine files " + files.get(0) + " and " + f + " have different columns: "
            + columns(first) + " against " + columns(other));
      }
    }
    return first;
  }

  private static boolean sameColumns(Schema a, Schema b) {
    if (a.getFields().size() != b.getFields().size()) {
      return false;
    }
    for (int i = 0; i < a.getFields().size(); i++) {
      Schema.Field x = a.getFields().get(i);
      Schema.Field y = b.getFields().get(i);
      if (!x.name().equals(y.name()) || !x.schema().equals(y.schema())) {
        return false;
      }
    }
    return true;
  }

  private static String columns(Schema s) {
    List<String> out = new ArrayList<>();
    s.getFields().forEach(f -> out.add(f.name() + " " + SourceSchemas.describe(f.schema())));
    return String.join(", ", out);
  }

  private static Schema avroSchema(String file) throws IOException {
    try (InputStream in = open(file);
        DataFileStream<GenericRecord> stream = new DataFileStream<>(in, new GenericDatumReader<>())) {
      Schema s = stream.getSchema();
      if (s.getType() != Schema.Type.RECORD) {
        throw new IllegalArgumentException("spine " + file + " holds " + s.getType() + " values, not records");
      }
      return s;
    }
  }
}
