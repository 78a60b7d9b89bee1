package io.featurepipe.sinks.online;

import com.google.protobuf.ByteString;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.ValueType;
import io.featurepipe.transforms.record.Wtf8;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The typed binary form of a feature value in a Bigtable cell (documented byte by byte in {@code
 * docs/online-store.md}). The first byte says the type, so a cell read with the wrong definitions
 * fails instead of decoding garbage:
 *
 * <ul>
 *   <li>{@code 0x00}: the explicit null, no payload;
 *   <li>{@code 0x01} int64, 8 bytes big-endian two's complement; {@code 0x02} double, its 8 IEEE 754
 *       bytes big-endian (raw bits: NaN payloads and -0.0 survive); {@code 0x03} bool, one byte 0 or
 *       1; {@code 0x04} string, the rest of the cell in UTF-8 (WTF-8 for unpaired surrogates); {@code
 *       0x05} timestamp, 8 bytes big-endian nanoseconds since the UTC epoch;
 *   <li>{@code 0x10 | element tag}: a list ({@code top_k}, {@code last_k}): a 4-byte big-endian
 *       count, then each element as above without its tag, strings preceded by a 4-byte length.
 * </ul>
 *
 * Values are the Java types of {@link io.featurepipe.transforms.record.FeatureRow}: {@link Long},
 * {@link Double}, {@link Boolean}, {@link String}, {@link Long} nanoseconds, {@link List}.
 */
public final class CellValues {
  static final int NULL = 0x00;
  static final int LIST = 0x10;

  private CellValues() {}

  private static int tag(ColumnType type) {
    return switch (type) {
      case INT64 -> 0x01;
      case DOUBLE -> 0x02;
      case BOOL -> 0x03;
      case STRING -> 0x04;
      case TIMESTAMP -> 0x05;
    };
  }

  /** The cell bytes of a value of type {@code type} (null is the explicit null). */
  public static ByteString encode(Object value, ValueType type) {
    if (value == null) {
      return ByteString.copyFrom(new byte[] {NULL});
    }
    ColumnType element = type.element();
    if (type.list()) {
      if (!(value instanceof List<?> list)) {
        throw mismatch(value, type);
      }
      int size = 5;
      for (Object o : list) {
        size += elementSize(o, element, type);
      }
      ByteBuffer b = ByteBuffer.allocate(size);
      b.put((byte) (LIST | tag(element)));
      b.putInt(list.size());
      for (Object o : list) {
        if (element == ColumnType.STRING) {
          byte[] s = Wtf8.encode((String) o);
          b.putInt(s.length);
          b.put(s);
        } else {
          putScalar(b, o, element, type);
        }
      }
      return ByteString.copyFrom(b.array());
    }
    if (element == ColumnType.STRING) {
      if (!(value instanceof String s)) {
        throw mismatch(value, type);
      }
      byte[] bytes = Wtf8.encode(s);
      ByteBuffer b = ByteBuffer.allocate(1 + bytes.length);
      b.put((byte) tag(element)).put(bytes);
      return ByteString.copyFrom(b.array());
    }
    ByteBuffer b = ByteBuffer.allocate(1 + elementSize(value, element, type));
    b.put((byte) tag(element));
    putScalar(b, value, element, type);
    return ByteString.copyFrom(b.array());
  }

  /** The value of a cell of type {@code type}; fails naming {@code what} when the cell is of another type. */
  public static Object decode(ByteString cell, ValueType type, String what) {
    ByteBuffer b = cell.asReadOnlyByteBuffer();
    if (!b.hasRemaining()) {
      throw new IllegalStateException(what + ": empty cell, not a featurepipe value");
    }
    int tag = b.get() & 0xFF;
    if (tag == NULL) {
      return null;
    }
    int expected = (type.list() ? LIST : 0) | tag(type.element());
    if (tag != expected) {
      throw new IllegalStateException(
          what + ": the cell holds type tag 0x" + Integer.toHexString(tag) + ", the definition says "
              + type + " (0x" + Integer.toHexString(expected) + "): was it written by another version?");
    }
    ColumnType element = type.element();
    if (type.list()) {
      int n = b.getInt();
      List<Object> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        if (element == ColumnType.STRING) {
          byte[] s = new byte[b.getInt()];
          b.get(s);
          out.add(Wtf8.decode(s));
        } else {
          out.add(getScalar(b, element));
        }
      }
      return out;
    }
    if (element == ColumnType.STRING) {
      byte[] s = new byte[b.remaining()];
      b.get(s);
      return Wtf8.decode(s);
    }
    return getScalar(b, element);
  }

  private static int elementSize(Object o, ColumnType element, ValueType type) {
    if (o == null) {
      throw new IllegalArgumentException("a " + type + " value holds a null element");
    }
    return switch (element) {
      case INT64, DOUBLE, TIMESTAMP -> 8;
      case BOOL -> 1;
      case STRING -> {
        if (!(o instanceof String s)) {
          throw mismatch(o, type);
        }
        yield 4 + Wtf8.length(s);
      }
    };
  }

  private static void putScalar(ByteBuffer b, Object o, ColumnType element, ValueType type) {
    switch (element) {
      case INT64, TIMESTAMP -> {
        if (!(o instanceof Long l)) {
          throw mismatch(o, type);
        }
        b.putLong(l);
      }
      case DOUBLE -> {
        if (!(o instanceof Double d)) {
          throw mismatch(o, type);
        }
        b.putLong(Double.doubleToRawLongBits(d));
      }
      case BOOL -> {
        if (!(o instanceof Boolean bool)) {
          throw mismatch(o, type);
        }
        b.put((byte) (bool ? 1 : 0));
      }
      case STRING -> throw new IllegalStateException("strings are not fixed-width");
    }
  }

  private static Object getScalar(ByteBuffer b, ColumnType element) {
    return switch (element) {
      case INT64, TIMESTAMP -> b.getLong();
      case DOUBLE -> Double.longBitsToDouble(b.getLong());
      case BOOL -> b.get() != 0;
      case STRING -> throw new IllegalStateException("strings are not fixed-width");
    };
  }

  private static IllegalArgumentException mismatch(Object value, ValueType type) {
    return new IllegalArgumentException(
        "value " + value + " (" + value.getClass().getSimpleName() + ") is not a " + type);
  }
}
