package io.featurepipe.sinks.files;

import java.io.IOException;
import java.io.Serializable;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * How {@link WritePartitionedFiles} writes elements to a file and joins part files into one.
 *
 * @param <T> the element type
 */
public interface FileFormat<T> extends Serializable {

  /** The file name extension, with its dot ({@code .jsonl}, {@code .avro}). */
  String extension();

  /**
   * Opens a writer of elements onto a channel, given the first element it will write (formats
   * with a schema per partition take it from there); the caller closes the channel after {@link
   * Writer#finish()}.
   */
  Writer<T> open(WritableByteChannel channel, T first) throws IOException;

  /**
   * Writes the content of several part files, in order, as one file (without decoding elements
   * where the format allows: lines are copied as bytes, Avro blocks as blocks). Parts are opened
   * one at a time: a partition may have thousands of them.
   */
  void concatenate(List<ResourceId> parts, WritableByteChannel out) throws IOException;

  /** Writes elements of one file. */
  interface Writer<T> {
    void write(T element) throws IOException;

    /** Flushes what is buffered; does not close the channel. */
    void finish() throws IOException;
  }
}
