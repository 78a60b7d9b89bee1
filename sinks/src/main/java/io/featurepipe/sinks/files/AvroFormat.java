package io.featurepipe.sinks.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.Encoder;
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * Avro container files (snappy) of elements converted to generic records, or written by their own
 * datum writer ({@link Encoding}: the offline rows), with file metadata. Part files join block by
 * block, without decoding ({@code appendAllFrom}).
 *
 * @param <T> the element type
 */
public final class AvroFormat<T> implements FileFormat<T> {
  private final Encoding<T> encoding;
  private final SerializableFunction<T, Map<String, String>> metadata;

  /** How a partition's elements are written: its schema, from its first element, and a datum writer. */
  public interface Encoding<T> extends Serializable {
    Schema schema(T first);

    /** A writer of the partition's elements, in {@code schema} (its {@link #schema}). */
    DatumWriter<T> writer(T first, Schema schema);
  }

  /**
   * @param toRecord converts an element (all elements of a partition share a schema)
   * @param metadata the file metadata for a partition, from its first element
   */
  public AvroFormat(
      SerializableFunction<T, GenericRecord> toRecord,
      SerializableFunction<T, Map<String, String>> metadata) {
    this(new Records<>(toRecord), metadata);
  }

  /**
   * Elements written by their own datum writer (which must write the bytes of the partition's
   * schema).
   *
   * @param metadata the file metadata for a partition, from its first element
   */
  public AvroFormat(Encoding<T> encoding, SerializableFunction<T, Map<String, String>> metadata) {
    this.encoding = encoding;
    this.metadata = metadata;
  }

  /** Elements converted to generic records, written by {@link RecordWriter}. */
  private record Records<T>(SerializableFunction<T, GenericRecord> toRecord) implements Encoding<T> {
    @Override
    public Schema schema(T first) {
      return toRecord.apply(first).getSchema();
    }

    @Override
    public DatumWriter<T> writer(T first, Schema schema) {
      RecordWriter records = new RecordWriter(schema);
      return new DatumWriter<>() {
        @Override
        public void setSchema(Schema schema) {
          records.setSchema(schema);
        }

        @Override
        public void write(T element, Encoder out) throws IOException {
          records.write(toRecord.apply(element), out);
        }
      };
    }
  }

  @Override
  public String extension() {
    return ".avro";
  }

  @Override
  public Writer<T> open(WritableByteChannel channel, T first) throws IOException {
    Schema schema = encoding.schema(first);
    DataFileWriter<T> w = new DataFileWriter<>(encoding.writer(first, schema));
    w.setCodec(CodecFactory.snappyCodec());
    metadata.apply(first).forEach(w::setMeta);
    w.create(schema, Channels.newOutputStream(channel));
    return new Writer<>() {
      @Override
      public void write(T element) throws IOException {
        w.append(element);
      }

      @Override
      public void finish() throws IOException {
        w.flush();
      }
    };
  }

  /**
   * A {@link GenericDatumWriter} that resolves a nullable union ({@code ["null", T]}, every
   * optional field of the offline and training schemas) by the value's class, without the
   * by-name lookup {@link org.apache.avro.generic.GenericData#resolveUnion} makes per value (a
   * large share of writing a backfill's rows). Other unions, branches with a logical type and
   * values of another class resolve as before, so a value that fits no branch still fails with
   * Avro's {@code UnresolvedUnionException}.
   */
  static final class RecordWriter extends GenericDatumWriter<GenericRecord> {
    RecordWriter(Schema schema) {
      super(schema);
    }

    @Override
    protected int resolveUnion(Schema union, Object datum) {
      List<Schema> types = union.getTypes();
      if (types.size() == 2) {
        int nullAt = types.get(0).getType() == Schema.Type.NULL ? 0 : types.get(1).getType() == Schema.Type.NULL ? 1 : -1;
        if (nullAt >= 0) {
          if (datum == null) {
            return nullAt;
          }
          Schema other = types.get(1 - nullAt);
          if (other.getLogicalType() == null && fits(other.getType(), datum)) {
            return 1 - nullAt;
          }
        }
      }
      return super.resolveUnion(union, datum);
    }

    /** Whether GenericData names this value's schema as the type (its {@code getSchemaName}). */
    private static boolean fits(Schema.Type type, Object datum) {
      return switch (type) {
        case STRING -> datum instanceof CharSequence;
        case LONG -> datum instanceof Long;
        case DOUBLE -> datum instanceof Double;
        case INT -> datum instanceof Integer;
        case BOOLEAN -> datum instanceof Boolean;
        case FLOAT -> datum instanceof Float;
        case BYTES -> datum instanceof java.nio.ByteBuffer;
        case ARRAY -> datum instanceof java.util.Collection<?>;
        default -> false;
      };
    }
  }

  @Override
  public void concatenate(List<ResourceId> parts, WritableByteChannel out)
      throws IOException {
    DataFileWriter<GenericRecord> w = null;
    try {
      for (ResourceId part : parts) {
        InputStream in = Channels.newInputStream(FileSystems.open(part));
        try (DataFileStream<GenericRecord> stream = new DataFileStream<>(in, new GenericDatumReader<>())) {
          if (w == null) {
            w = new DataFileWriter<>(new GenericDatumWriter<>(stream.getSchema()));
            w.setCodec(CodecFactory.snappyCodec());
            for (String key : stream.getMetaKeys()) {
              if (!key.startsWith("avro.")) {
                w.setMeta(key, stream.getMeta(key));
              }
            }
            w.create(stream.getSchema(), Channels.newOutputStream(out));
          }
          w.appendAllFrom(stream, false);
        }
      }
    } finally {
      if (w != null) {
        w.flush();
      }
    }
  }
}
