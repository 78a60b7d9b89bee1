package io.featurepipe.transforms.record;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * A growable byte array that coders encode into before one write to the runner's stream, which may
 * take a call chain per byte (Flink's output views). Why not a library's: java.io's {@code
 * ByteArrayOutputStream} takes a lock per write, and commons-io's unsynchronized one builds a list
 * of buffers per instance; both stood out in CPU profiles of a full-size backfill, which encodes a
 * buffer per key and tile.
 */
public final class EncodingBuffer extends OutputStream {
  /** The bytes a {@link #hashFirst} buffer holds for its hash. */
  public static final int HASH_BYTES = 4;

  private static final HashFunction HASH = Hashing.murmur3_32_fixed();

  private final boolean hashFirst;
  private byte[] bytes;
  private int size;

  public EncodingBuffer(int initialCapacity) {
    this(initialCapacity, false);
  }

  private EncodingBuffer(int initialCapacity, boolean hashFirst) {
    this.hashFirst = hashFirst;
    bytes = new byte[Math.max(16, initialCapacity)];
  }

  /**
   * A buffer whose first four bytes are held for a hash of what is written after them ({@link
   * #writeHashFirstTo}): keys whose bytes must differ early, for a sort that compares a short prefix
   * of each key first (Flink's batch sort).
   */
  public static EncodingBuffer hashFirst(int initialCapacity) {
    EncodingBuffer b = new EncodingBuffer(initialCapacity + HASH_BYTES, true);
    b.size = HASH_BYTES;
    return b;
  }

  @Override
  public void write(int b) {
    if (size == bytes.length) {
      grow(1);
    }
    bytes[size++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    if (bytes.length - size < len) {
      grow(len);
    }
    System.arraycopy(b, off, bytes, size, len);
    size += len;
  }

  private void grow(int needed) {
    bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + needed));
  }

  /** The bytes written so far. */
  public int size() {
    return size;
  }

  /** The backing array, valid from 0 to {@link #size()}; writes may replace it. */
  public byte[] array() {
    return bytes;
  }

  /**
   * For a {@link #hashFirst} buffer: puts a 32-bit Murmur3 hash of the bytes after the first four
   * in their place (big-endian), then writes all the bytes to {@code out} in one call.
   */
  public void writeHashFirstTo(OutputStream out) throws IOException {
    if (!hashFirst) {
      throw new IllegalStateException("not a hashFirst buffer: its first bytes are data, not a hash's place");
    }
    int hash = HASH.hashBytes(bytes, HASH_BYTES, size - HASH_BYTES).asInt();
    bytes[0] = (byte) (hash >>> 24);
    bytes[1] = (byte) (hash >>> 16);
    bytes[2] = (byte) (hash >>> 8);
    bytes[3] = (byte) hash;
    writeTo(out);
  }

  /** Writes the bytes written so far to {@code out} in one call. */
  public void writeTo(OutputStream out) throws IOException {
    out.write(bytes, 0, size);
  }

  /** What a coder writes: its value's bytes, to the stream it is given. */
  @FunctionalInterface
  public interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Buffers above this size are not kept for the thread's next value. */
  private static final int KEPT_BYTES = 1 << 16;

  private static final ThreadLocal<EncodingBuffer> SPARE = new ThreadLocal<>();

  /**
   * Writes {@code body}'s bytes to {@code out} in one call: {@code body} writes them into a buffer
   * of this thread first (or into {@code out} itself when it is a buffer already, as for a coder
   * inside another). A coder's value is written byte by byte (tags, varints, a stream wrapper's
   * calls), and a runner's stream may take a call chain per byte: on Flink, writing straight to it
   * ({@code DataOutputViewWrapper.write}, a call per byte into Flink's paged output) stood out in
   * CPU profiles of a full-size training set.
   */
  public static void buffered(OutputStream out, Body body) throws IOException {
    if (out instanceof EncodingBuffer) {
      body.writeTo(out);
      return;
    }
    EncodingBuffer buffer = SPARE.get();
    if (buffer == null) {
      buffer = new EncodingBuffer(256);
    } else {
      SPARE.set(null); // taken: a value written to another stream meanwhile gets a buffer of its own
    }
    buffer.size = 0;
    body.writeTo(buffer);
    buffer.writeTo(out);
    if (buffer.bytes.length <= KEPT_BYTES) {
      SPARE.set(buffer);
    }
  }
}
