package io.featurepipe.sinks.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.io.TFRecordIO;
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * TFRecord files (uncompressed) of elements serialized to bytes, framed by Beam's {@link
 * TFRecordIO#sink()}. TFRecord records are self-delimiting, so part files join by copying their
 * bytes.
 *
 * @param <T> the element type
 */
public final class TfRecordFormat<T> implements FileFormat<T> {
  private final SerializableFunction<T, byte[]> toBytes;

  /** @param toBytes the record of an element (e.g. a serialized {@code tf.Example}) */
  public TfRecordFormat(SerializableFunction<T, byte[]> toBytes) {
    this.toBytes = toBytes;
  }

  @Override
  public String extension() {
    return ".tfrecord";
  }

  @Override
  public Writer<T> open(WritableByteChannel channel, T first) throws IOException {
    TFRecordIO.Sink sink = TFRecordIO.sink();
    sink.open(channel);
    return new Writer<>() {
      @Override
      public void write(T element) throws IOException {
        sink.write(toBytes.apply(element));
      }

      @Override
      public void finish() throws IOException {
        sink.flush();
      }
    };
  }

  @Override
  public void concatenate(List<ResourceId> parts, WritableByteChannel out) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    for (ResourceId file : parts) {
      try (ReadableByteChannel part = FileSystems.open(file)) {
        while (part.read(buffer) >= 0) {
          buffer.flip();
          while (buffer.hasRemaining()) {
            out.write(buffer);
          }
          buffer.clear();
        }
      }
    }
  }
}
