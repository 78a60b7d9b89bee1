package io.featurepipe.transforms.decode;

import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * The Avro schema a source definition describes: one field per source field, in order; a required
 * field is its plain type, an optional one a union {@code ["null", T]} with default null.
 * {@code string}, {@code int} → {@code long}, {@code double}, {@code bool} → {@code boolean}, and
 * {@code timestamp} → {@code long} with logical type {@code timestamp-micros}.
 *
 * <p>It is the writer schema of Avro stream payloads when the source names no {@code .avsc}, and
 * the schema compared when a source definition changes (see {@link SchemaEvolution}).
 */
public final class SourceSchemas {
  private SourceSchemas() {}

  /** The record name of a derived schema. */
  public static final String NAMESPACE = "io.featurepipe.sources";

  /** The source's fields as an Avro record schema named after the source. */
  public static Schema of(SourceDef source) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Field f : source.fields()) {
      fields.add(field(f.name(), plain(f), f.required()));
    }
    return Schema.createRecord(source.name(), null, NAMESPACE, false, fields);
  }

  /** The plain (non-null) Avro type of a field. */
  static Schema plain(Field f) {
    return avroType(f.type());
  }

  /**
   * The Avro type featurepipe writes a column type as: string, long, double, boolean, and
   * timestamps as long {@code timestamp-micros}. Shared by every Avro file featurepipe writes.
   */
  public static Schema avroType(io.featurepipe.transforms.model.ColumnType type) {
    switch (type) {
      case STRING:
        return Schema.create(Schema.Type.STRING);
      case INT64:
        return Schema.create(Schema.Type.LONG);
      case DOUBLE:
        return Schema.create(Schema.Type.DOUBLE);
      case BOOL:
        return Schema.create(Schema.Type.BOOLEAN);
      case TIMESTAMP:
        return LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
      default:
        throw new IllegalStateException(type.toString());
    }
  }

  /** A record field: the plain type when required, else {@code ["null", type]} defaulting to null. */
  static Schema.Field field(String name, Schema plain, boolean required) {
    return required
        ? new Schema.Field(name, plain, null, (Object) null)
        : new Schema.Field(
            name,
            Schema.createUnion(Schema.create(Schema.Type.NULL), plain),
            null,
            JsonProperties.NULL_VALUE);
  }

  /** The branch of a {@code ["null", T]} union that is not null, or the schema itself. */
  public static Schema nonNull(Schema s) {
    if (s.getType() != Schema.Type.UNION) {
      return s;
    }
    for (Schema b : s.getTypes()) {
      if (b.getType() != Schema.Type.NULL) {
        return b;
      }
    }
    return s;
  }

  /** A short text of a type for messages: {@code long}, {@code ["null","string"]}, ... */
  public static String describe(Schema s) {
    if (s.getType() == Schema.Type.UNION) {
      List<String> parts = new ArrayList<>();
      for (Schema b : s.getTypes()) {
        parts.add(describe(b));
      }
      return "[" + String.join(",", parts) + "]";
    }
    String base = s.getType().getName();
    if (s.getLogicalType() != null) {
      return base + "(" + s.getLogicalType().getName() + ")";
    }
    return s.getType() == Schema.Type.RECORD || s.getType() == Schema.Type.ENUM
            || s.getType() == Schema.Type.FIXED
        ? base + " " + s.getName()
        : base;
  }
}
