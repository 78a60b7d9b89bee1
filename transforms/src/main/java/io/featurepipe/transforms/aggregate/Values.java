package io.featurepipe.transforms.aggregate;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Helpers shared by the accumulators: type checks of incoming values, NaN canonicalisation, and the
 * stable binary codes of column types used by {@link AccumulatorCoder}.
 */
final class Values {
  /** The one NaN every accumulator keeps, so that results do not depend on which NaN came first. */
  static final Double NAN = Double.NaN;

  private Values() {}

  /**
   * Checks that a non-null {@code value} has the Java type of {@code type} and returns it, with every
   * NaN replaced by the canonical {@link #NAN} (NaNs are equal under {@link ValueOrdering}, so
   * keeping one of several would otherwise depend on the order of adds).
   */
  static Object checked(ColumnType type, Object value) {
    switch (type) {
      case DOUBLE:
        if (value instanceof Double d) {
          return d.isNaN() ? NAN : d;
        }
        break;
      case INT64:
      case TIMESTAMP:
        if (value instanceof Long) {
          return value;
        }
        break;
      case STRING:
        if (value instanceof String) {
          return value;
        }
        break;
      case BOOL:
        if (value instanceof Boolean) {
          return value;
        }
        break;
      default:
        break;
    }
    throw wrongType(type, value);
  }

  static IllegalArgumentException wrongType(ColumnType type, Object value) {
    return new IllegalArgumentException(
        "a " + type.yamlName() + " column cannot hold " + value.getClass().getName() + " " + value);
  }

  static void requireSameType(ColumnType mine, ColumnType theirs) {
    if (mine != theirs) {
      throw new IllegalArgumentException(
          "cannot merge accumulators over " + mine.yamlName() + " and " + theirs.yamlName());
    }
  }

  /** Writes a column type as a stable one-byte code (independent of the enum's declaration order). */
  static void writeType(ColumnType type, DataOutput out) throws IOException {
    int code;
    switch (type) {
      case STRING:
        code = 1;
        break;
      case INT64:
        code = 2;
        break;
      case DOUBLE:
        code = 3;
        break;
      case BOOL:
        code = 4;
        break;
      case TIMESTAMP:
        code = 5;
        break;
      default:
        throw new IllegalArgumentException("no code for " + type);
    }
    out.writeByte(code);
  }

  static ColumnType readType(DataInput in) throws IOException {
    int code = in.readByte();
    switch (code) {
      case 1:
        return ColumnType.STRING;
      case 2:
        return ColumnType.INT64;
      case 3:
        return ColumnType.DOUBLE;
      case 4:
        return ColumnType.BOOL;
      case 5:
        return ColumnType.TIMESTAMP;
      default:
        throw new IOException("corrupt accumulator: unknown column type code " + code);
    }
  }

  /** Reads a value written by {@link ValueCodec#write} and checks it against {@code type}. */
  static Object readValue(ColumnType type, DataInput in) throws IOException {
    Object v = ValueCodec.read(in);
    if (v == null) {
      throw new IOException("corrupt accumulator: null value");
    }
    try {
      return checked(type, v);
    } catch (IllegalArgumentException e) {
      throw new IOException("corrupt accumulator: " + e.getMessage(), e);
    }
  }

  static int readCount(DataInput in, int max) throws IOException {
    long n = ValueCodec.readVarLong(in);
    if (n < 0 || n > max) {
      throw new IOException("corrupt accumulator: size " + n + " out of [0, " + max + "]");
    }
    return (int) n;
  }
}
