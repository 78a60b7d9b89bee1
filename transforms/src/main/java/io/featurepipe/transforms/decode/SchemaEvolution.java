package io.featurepipe.transforms.decode;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/**
 * Whether data written under one schema can be read under a source's current definition, judged by
 * Avro's {@link SchemaCompatibility} (the definition is the reader, the data the writer), with
 * messages that name the field, the old type and the new type.
 *
 * <p>Compatible evolution: adding an optional field, removing a field, making a required field
 * optional, widening {@code int} to {@code double}. Everything else is incompatible: a new required
 * field, a changed type, an optional field made required, and (between two definitions) a changed
 * event-time column, timestamp format or record format.
 *
 * <pre>{@code
 * SchemaEvolution.requireReadable(source, fileSchema, "payments/2026-01-01.avro"); // throws if not
 * SchemaEvolution.Report r = SchemaEvolution.compare(previousDef, currentDef);    // plan --previous
 * if (!r.compatible()) System.err.println(r.describe());
 * }</pre>
 */
public final class SchemaEvolution {
  private SchemaEvolution() {}

  /**
   * One difference between what was written and what is read.
   *
   * @param field the field it concerns, or null for a source-wide setting
   * @param was the type (or setting) the data was written with, {@code absent} for a new field
   * @param now the type (or setting) the definition reads, {@code absent} for a removed field
   * @param compatible whether old data can still be read
   * @param message a sentence for the user
   */
  public record Change(String field, String was, String now, boolean compatible, String message) {}

  /** The changes between two schemas or definitions, compatible ones included. */
  public record Report(List<Change> changes) {
    public Report {
      changes = List.copyOf(changes);
    }

    public boolean compatible() {
      return changes.stream().allMatch(Change::compatible);
    }

    public List<Change> incompatible() {
      return changes.stream().filter(c -> !c.compatible()).toList();
    }

    /** One line per change, incompatible ones first. */
    public String describe() {
      StringBuilder out = new StringBuilder();
      for (Change c : incompatible()) {
        out.append("incompatible: ").append(c.message()).append('\n');
      }
      for (Change c : changes) {
        if (c.compatible()) {
          out.append("compatible: ").append(c.message()).append('\n');
        }
      }
      return out.toString().stripTrailing();
    }
  }

  /** Thrown when data cannot be read under a definition; the message lists what changed. */
  public static final class IncompatibleSchemaException extends IllegalArgumentException {
    private final transient List<Change> changes;

    public IncompatibleSchemaException(String message, List<Change> changes) {
      super(message);
      this.changes = List.copyOf(changes);
    }

    public List<Change> changes() {
      return changes;
    }
  }

  /**
   * The problems reading records written with {@code writer} (an Avro file's or message's schema)
   * under the source's definition; empty when every record can be read.
   */
  public static List<Change> problems(SourceDef source, Schema writer) {
    if (writer.getType() != Schema.Type.RECORD) {
      return List.of(
          new Change(null, SourceSchemas.describe(writer), "record", false,
              "the data is not made of Avro records but of " + SourceSchemas.describe(writer)));
    }
    Schema reader = readerFor(source, writer);
    List<Change> out = new ArrayList<>(incompatibilities(reader, writer));
    for (Schema.Field wf : writer.getFields()) {
      int i = source.indexDifferingInCase(wf.name());
      if (i >= 0 && writer.getField(source.fields().get(i).name()) == null) {
        String name = source.fields().get(i).name();
        out.removeIf(c -> name.equals(c.field()));
        out.add(new Change(name, "absent", source.fields().get(i).type().yamlName(), false,
            differsInCase(name, "field", wf.name())));
      }
    }
    for (Field f : source.fields()) {
      Schema.Field wf = writer.getField(f.name());
      if (f.type() == ColumnType.TIMESTAMP && wf != null) {
        Schema plain = SourceSchemas.nonNull(wf.schema());
        boolean number = plain.getType() == Schema.Type.LONG || plain.getType() == Schema.Type.INT;
        LogicalType logical = plain.getLogicalType();
        boolean epochFormat =
            f.name().equals(source.timestampColumn())
                && source.timestampFormat() != null
                && source.timestampFormat().startsWith("epoch_");
        if (number && logical != null && !logical.getName().contains("timestamp-")) {
          out.add(
              new Change(f.name(), SourceSchemas.describe(plain), "timestamp", false,
                  "field '" + f.name() + "' is a " + logical.getName() + " in the data, not an instant: it cannot be"
                      + " read as a timestamp"));
        }
        if (number && logical == null && !epochFormat) {
          out.add(
              new Change(f.name(), SourceSchemas.describe(plain), "timestamp", false,
                  "field '" + f.name() + "' is a plain " + plain.getType().getName()
                      + " in the data: give it logical type timestamp-millis or timestamp-micros"
                      + (f.name().equals(source.timestampColumn())
                          ? ", or set timestamp_format to epoch_millis, epoch_micros or epoch_seconds"
                          : "")));
        }
      }
    }
    return out;
  }

  /**
   * Why data naming a field {@code found} where the definition names it {@code field} (the two
   * differ only in case) is refused: read as named, its values would silently be null.
   *
   * @param what what {@code found} is in the data: a field, a column of the header
   */
  static String differsInCase(String field, String what, String found) {
    return "field '" + field + "' is absent from the data, which has " + what + " '" + found
        + "' instead: names match exactly, case included (rename one of them), else every value"
        + " of '" + field + "' would read as null";
  }

  /**
   * Fails (before any record is read) when records written with {@code writer} cannot be read
   * under the source's definition.
   *
   * @param where what was written with that schema, for the message (a file, a topic)
   */
  public static void requireReadable(SourceDef source, Schema writer, String where) {
    List<Change> problems = problems(source, writer);
    if (!problems.isEmpty()) {
      StringBuilder m =
          new StringBuilder("source '" + source.name() + "': " + where
              + " was written with a schema the definition cannot read:");
      for (Change c : problems) {
        m.append("\n  - ").append(c.message());
      }
      throw new IncompatibleSchemaException(m.toString(), problems);
    }
  }

  /**
   * Compares a previous version of a source definition with the current one: can data written
   * under the previous one be read by the current one?
   */
  public static Report compare(SourceDef previous, SourceDef current) {
    List<Change> changes = new ArrayList<>();
    setting(changes, "format", name(previous.format()), name(current.format()),
        "files and messages written in the old format cannot be read in the new one");
    setting(changes, "timestamp", previous.timestampColumn(), current.timestampColumn(),
        "events written before would take their time from another column");
    setting(changes, "timestamp_format", previous.timestampFormat(), current.timestampFormat(),
        "event times written before would be read differently");
    Schema writer = SourceSchemas.of(previous);
    Schema reader = SourceSchemas.of(current);
    List<Change> incompatible = incompatibilities(reader, writer);
    changes.addAll(incompatible);
    Map<String, Field> old = new LinkedHashMap<>();
    previous.fields().forEach(f -> old.put(f.name(), f));
    for (Field f : current.fields()) {
      Field o = old.remove(f.name());
      if (incompatible.stream().anyMatch(c -> f.name().equals(c.field()))) {
        continue;
      }
      if (o == null) {
        changes.add(new Change(f.name(), "absent", f.type().yamlName(), true,
            "added optional field '" + f.name() + "' (" + f.type().yamlName() + ")"));
      } else if (o.type() == ColumnType.INT64 && f.type() == ColumnType.DOUBLE) {
        changes.add(new Change(f.name(), o.type().yamlName(), f.type().yamlName(), true,
            "field '" + f.name() + "' widened from int to double"));
      } else if (o.type() != f.type()) {
        // Avro would read a long as a timestamp (both are longs), but the values mean other things
        changes.add(new Change(f.name(), o.type().yamlName(), f.type().yamlName(), false,
            "field '" + f.name() + "' changed type: written as " + o.type().yamlName()
                + ", read as " + f.type().yamlName()));
      } else if (o.required() && !f.required()) {
        changes.add(new Change(f.name(), "required", "optional", true,
            "field '" + f.name() + "' is now optional"));
      }
    }
    for (Field o : old.values()) {
      changes.add(new Change(o.name(), o.type().yamlName(), "absent", true,
          "removed field '" + o.name() + "' (" + o.type().yamlName() + "): it is no longer read"));
    }
    return new Report(changes);
  }

  private static void setting(List<Change> out, String key, String was, String now, String why) {
    if (!Objects.equals(was, now)) {
      out.add(new Change(null, was, now, false,
          key + " changed from " + was + " to " + now + ": " + why));
    }
  }

  private static String name(io.featurepipe.transforms.model.SourceFormat f) {
    return f == null ? null : f.yamlName();
  }

  /** The definition as a reader of {@code writer}: timestamps read strings or numbers as written. */
  static Schema readerFor(SourceDef source, Schema writer) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Field f : source.fields()) {
      Schema plain = SourceSchemas.plain(f);
      Schema.Field wf = writer.getField(f.name());
      if (f.type() == ColumnType.TIMESTAMP
          && wf != null
          && SourceSchemas.nonNull(wf.schema()).getType() == Schema.Type.STRING) {
        plain = Schema.create(Schema.Type.STRING);
      }
      fields.add(SourceSchemas.field(f.name(), plain, f.required()));
    }
    return Schema.createRecord(writer.getName(), null, writer.getNamespace(), false, fields);
  }

  /**
   * Avro's verdict, asked field by field (its own locations do not always say which field of a
   * record failed), then for the whole record in case something else differs.
   */
  private static List<Change> incompatibilities(Schema reader, Schema writer) {
    List<Change> out = new ArrayList<>();
    for (Schema.Field rf : reader.getFields()) {
      Schema.Field wf = writer.getField(rf.name());
      boolean ok =
          wf == null
              ? rf.hasDefaultValue()
              : SchemaCompatibility.checkReaderWriterCompatibility(rf.schema(), wf.schema()).getType()
                  == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
      if (!ok) {
        out.add(change(rf, wf));
      }
    }
    if (out.isEmpty()) {
      Schema named =
          Schema.createRecord(writer.getName(), null, writer.getNamespace(), false, copy(reader));
      for (Incompatibility i :
          SchemaCompatibility.checkReaderWriterCompatibility(named, writer)
              .getResult()
              .getIncompatibilities()) {
        out.add(new Change(null, SourceSchemas.describe(writer), SourceSchemas.describe(named),
            false, i.getMessage() + " at " + i.getLocation()));
      }
    }
    return out;
  }

  private static Change change(Schema.Field reader, Schema.Field writer) {
    String name = reader.name();
    String now = SourceSchemas.describe(reader.schema());
    if (writer == null) {
      return new Change(name, "absent", now, false,
          "field '" + name + "' (" + now + ") is required by the definition but absent from the"
              + " data: a field added to a source must be optional");
    }
    String was = SourceSchemas.describe(writer.schema());
    Schema wPlain = SourceSchemas.nonNull(writer.schema());
    boolean writerNullable = writer.schema().getType() == Schema.Type.UNION;
    boolean readerNullable = reader.schema().getType() == Schema.Type.UNION;
    if (writerNullable && !readerNullable
        && SchemaCompatibility.checkReaderWriterCompatibility(reader.schema(), wPlain).getType()
            == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      return new Change(name, was, now, false,
          "field '" + name + "' may be null in the data (" + was + ") but is required by the"
              + " definition (" + now + ")");
    }
    return new Change(name, was, now, false,
        "field '" + name + "' changed type: written as " + was + ", read as " + now);
  }

  private static List<Schema.Field> copy(Schema record) {
    List<Schema.Field> out = new ArrayList<>();
    for (Schema.Field f : record.getFields()) {
      out.add(new Schema.Field(f, f.schema()));
    }
    return out;
  }
}
