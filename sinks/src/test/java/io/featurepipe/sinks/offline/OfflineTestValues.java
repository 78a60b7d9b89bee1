package io.featurepipe.sinks.offline;

import io.featurepipe.transforms.model.ColumnType;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;

/** Random values of every column type, with extremes, and the Avro bytes a datum writer writes: for the tests of the offline and training rows' writers and readers. */
public final class OfflineTestValues {
  private OfflineTestValues() {}

  /** A random non-null value of {@code type} as rows hold it: NaN, -0.0, infinities, strings of every kind, timestamps before 1970. */
  public static Object scalar(ColumnType type, Random random) {
    return switch (type) {
      case INT64 -> random.nextBoolean() ? (long) random.nextInt(100) : random.nextLong();
      case DOUBLE -> switch (random.nextInt(7)) {
        case 0 -> Double.NaN;
        case 1 -> -0.0;
        case 2 -> Double.NEGATIVE_INFINITY;
        case 3 -> Double.POSITIVE_INFINITY;
        default -> random.nextGaussian() * 1e6;
      };
      case STRING -> List.of("", "u42", "Zürich", "東京", "pay 💳", "x".repeat(300), "a\uD800b").get(random.nextInt(7));
      case BOOL -> random.nextBoolean();
      case TIMESTAMP -> random.nextBoolean()
          ? 1_767_225_600_000_000_000L + random.nextLong(1_000_000_000_000_000L)
          : -random.nextLong(1_000_000_000_000_000_000L) - 1; // before 1970, not a whole microsecond
      default -> throw new IllegalArgumentException(type.toString());
    };
  }

  /** The bytes {@code writer} writes for {@code datum}. */
  public static <D> byte[] bytes(DatumWriter<D> writer, D datum) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    writer.write(datum, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
