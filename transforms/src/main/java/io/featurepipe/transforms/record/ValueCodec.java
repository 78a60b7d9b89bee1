package io.featurepipe.transforms.record;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A compact, deterministic, self-describing binary form for column and feature values: null,
 * {@link Long}, {@link Double}, {@link String}, {@link Boolean} and {@link List} of those. Each value
 * is a one-byte tag and its payload, so equal values always encode to equal bytes (doubles by their
 * raw bits, which keeps NaN and -0.0 distinct and exact).
 */
public final class ValueCodec {
  private static final int NULL = 0;
  private static final int LONG = 1;
  private static final int DOUBLE = 2;
  private static final int STRING = 3;
  private static final int BOOLEAN = 4;
  private static final int LIST = 5;

  private ValueCodec() {}

  public static void write(Object value, DataOutput out) throws IOException {
    if (value == null) {
      out.writeByte(NULL);
    } else if (value instanceof Long l) {
      out.writeByte(LONG);
      writeVarLong(zigzag(l), out);
    } else if (value instanceof Double d) {
      out.writeByte(DOUBLE);
      out.writeLong(Double.doubleToRawLongBits(d));
    } else if (value instanceof String s) {
      out.writeByte(STRING);
      writeString(s, out);
    } else if (value instanceof Boolean b) {
      out.writeByte(BOOLEAN);
      out.writeBoolean(b);
    } else if (value instanceof List<?> list) {
      out.writeByte(LIST);
      writeVarLong(list.size(), out);
      for (Object o : list) {
        write(o, out);
      }
    } else {
      throw new IllegalArgumentException(
          "not a featurepipe value: " + value.getClass().getName() + " " + value);
    }
  }

  public static Object read(DataInput in) throws IOException {
    int tag = in.readByte();
    switch (tag) {
      case NULL:
        return null;
      case LONG:
        return unzigzag(readVarLong(in));
      case DOUBLE:
        return Double.longBitsToDouble(in.readLong());
      case STRING:
        return readString(in);
      case BOOLEAN:
        return in.readBoolean();
      case LIST:
        int n = (int) readVarLong(in);
        List<Object> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          list.add(read(in));
        }
        return list;
      default:
        throw new IOException("corrupt value: unknown tag " + tag);
    }
  }

  /** Writes a string losslessly (see {@link Wtf8}), its length first. */
  public static void writeString(String s, DataOutput out) throws IOException {
    byte[] bytes = Wtf8.encode(s);
    writeVarLong(bytes.length, out);
    out.write(bytes);
  }

  public static String readString(DataInput in) throws IOException {
    byte[] bytes = new byte[(int) readVarLong(in)];
    in.readFully(bytes);
    return Wtf8.decode(bytes);
  }

  /** Writes a non-negative long in 7-bit groups (negative values take 10 bytes). */
  public static void writeVarLong(long v, DataOutput out) throws IOException {
    while ((v & ~0x7FL) != 0) {
      out.writeByte((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.writeByte((int) v);
  }

  public static long readVarLong(DataInput in) throws IOException {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = in.readByte();
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new IOException("corrupt varint");
  }

  /**
   * {@code in} as a {@code DataInputStream}: itself when it is one (a coder inside another, whose
   * stream it was given), else a new one around it. A {@code DataInputStream} reads straight
   * through (it holds no bytes ahead), so sharing one is reading the stream; a new one allocates
   * buffers, for every value of every nested coder.
   */
  public static java.io.DataInputStream dataInput(java.io.InputStream in) {
    return in instanceof java.io.DataInputStream d ? d : new java.io.DataInputStream(in);
  }

  public static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  public static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }
}
