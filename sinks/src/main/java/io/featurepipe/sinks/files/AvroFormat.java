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
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * Avro container files (snappy) of elements written by their own datum writer ({@link Encoding}:
 * the offline rows', the training rows'), with file metadata. Part files join block by block,
 * without decoding ({@code appendAllFrom}).
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
   * Elements written by their own datum writer (which must write the bytes of the partition's
   * schema).
   *
   * @param metadata the file metadata for a partition, from its first element
   */
  public AvroFormat(Encoding<T> encoding, SerializableFunction<T, Map<String, String>> metadata) {
    this.encoding = encoding;
    this.metadata = metadata;
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
