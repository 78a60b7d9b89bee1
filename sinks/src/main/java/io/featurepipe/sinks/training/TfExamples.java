package io.featurepipe.sinks.training;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.tensorflow.example.BytesList;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import org.tensorflow.example.Features;
import org.tensorflow.example.FloatList;
import org.tensorflow.example.Int64List;

/**
 * A training record as a {@code tf.Example}: one feature per column, named as the Avro field.
 *
 * <ul>
 *   <li>{@code boolean}, {@code int}, {@code long} (timestamps as epoch microseconds) → {@code
 *       int64_list} (booleans as 0 and 1);
 *   <li>{@code float}, {@code double} → {@code float_list} (tf.Example holds 32-bit floats only:
 *       doubles are rounded to the nearest float; the Avro output keeps them exact);
 *   <li>{@code string}, {@code enum}, {@code bytes} → {@code bytes_list} (strings as UTF-8);
 *   <li>arrays of those → a list of that kind, in order;
 *   <li>a null value → no feature of that name (TensorFlow's convention for a missing value; the
 *       parser's {@code default_value} or a {@code VarLenFeature} handles it).
 * </ul>
 */
public final class TfExamples {
  private TfExamples() {}

  /** The record's {@code tf.Example}. */
  public static Example of(GenericRecord record) {
    Features.Builder features = Features.newBuilder();
    for (Schema.Field field : record.getSchema().getFields()) {
      Object value = record.get(field.pos());
      if (value != null) {
        features.putFeature(field.name(), feature(field.name(), nonNull(field.schema()), value));
      }
    }
    return Example.newBuilder().setFeatures(features).build();
  }

  /** The record's {@code tf.Example}, serialized: what a TFRecord file holds. */
  public static byte[] bytes(GenericRecord record) {
    return of(record).toByteArray();
  }

  private static Schema nonNull(Schema schema) {
    if (schema.getType() != Schema.Type.UNION) {
      return schema;
    }
    for (Schema s : schema.getTypes()) {
      if (s.getType() != Schema.Type.NULL) {
        return s;
      }
    }
    return schema;
  }

  private static Feature feature(String name, Schema schema, Object value) {
    Schema element = schema.getType() == Schema.Type.ARRAY ? nonNull(schema.getElementType()) : schema;
    Collection<?> values = schema.getType() == Schema.Type.ARRAY ? (Collection<?>) value : java.util.List.of(value);
    switch (element.getType()) {
      case BOOLEAN, INT, LONG -> {
        Int64List.Builder list = Int64List.newBuilder();
        for (Object v : values) {
          list.addValue(v instanceof Boolean b ? (b ? 1L : 0L) : ((Number) required(name, v)).longValue());
        }
        return Feature.newBuilder().setInt64List(list).build();
      }
      case FLOAT, DOUBLE -> {
        FloatList.Builder list = FloatList.newBuilder();
        for (Object v : values) {
          list.addValue(((Number) required(name, v)).floatValue());
        }
        return Feature.newBuilder().setFloatList(list).build();
      }
      case STRING, ENUM, BYTES -> {
        BytesList.Builder list = BytesList.newBuilder();
        for (Object v : values) {
          Object x = required(name, v);
          list.addValue(
              x instanceof ByteBuffer b
                  ? ByteString.copyFrom(b.duplicate())
                  : ByteString.copyFrom(x.toString(), StandardCharsets.UTF_8));
        }
        return Feature.newBuilder().setBytesList(list).build();
      }
      default ->
          throw new IllegalArgumentException(
              "column " + name + " has the Avro type " + schema + ", which a tf.Example cannot hold");
    }
  }

  private static Object required(String name, Object v) {
    if (v == null) {
      throw new IllegalArgumentException(
          "column " + name + " holds a list with a null element, which a tf.Example cannot hold");
    }
    return v;
  }
}
