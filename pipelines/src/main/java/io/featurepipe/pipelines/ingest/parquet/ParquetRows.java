package io.featurepipe.pipelines.ingest.parquet;

import io.featurepipe.transforms.decode.BadRecordException;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.InputFile;

/**
 * Whole Parquet files as Avro records, every column: for tables whose columns all travel on, as a
 * spine's do into its training set. A file's columns are read in the Avro form parquet-avro gives
 * them (the Avro schema it stored, or the one it derives), INT96 and TIMESTAMP(NANOS) columns as
 * {@code timestamp-micros} longs, unsigned integers as longs, decimals as doubles (longs at scale
 * 0).
 */
public final class ParquetRows {
  private ParquetRows() {}

  /** What is done with each row of a file. */
  @FunctionalInterface
  public interface RowHandler {
    /**
     * @param number the row's number in the file, from 1
     * @param row the row in the file's schema, or null when {@code problem} says why it cannot be
     * @param raw the row as read, as JSON, for a dead letter's payload (made when asked)
     */
    void row(long number, GenericRecord row, BadRecordException problem, Supplier<String> raw);
  }

  /**
   * A file's columns as Avro.
   *
   * @throws IOException when it cannot be read as Parquet (not Parquet, cut short, compressed as a
   *     whole, pages of a codec this build cannot decompress)
   * @throws IllegalArgumentException naming the file when a column has no Avro form
   */
  public static Schema schema(String file) throws IOException {
    ParquetMetadata footer = readableFooter(file, ParquetFiles.input(metadata(file)));
    try {
      return ParquetFiles.Schemas.of(footer.getFileMetaData(), column -> true).decoded();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Parquet file " + file + ": its columns cannot be read as Avro: " + e.getMessage(), e);
    }
  }

  /**
   * The file's footer, once its pages are known to be of codecs this build decompresses.
   *
   * @throws IOException naming the file when it is not Parquet, or a column's codec cannot be read
   */
  private static ParquetMetadata readableFooter(String file, InputFile in) throws IOException {
    ParquetMetadata footer = ParquetFiles.metadata(in);
    String undecompressible;
    try {
      undecompressible = ParquetFiles.undecompressible(footer, column -> true);
    } catch (RuntimeException e) { // e.g. column metadata encrypted
      throw new IOException("Parquet file " + file + ": cannot read its column chunks' metadata: " + e.getMessage(), e);
    }
    if (undecompressible != null) {
      throw new IOException("Parquet file " + file + ": " + undecompressible);
    }
    return footer;
  }

  /**
   * Reads every row of the file in order; a timestamp out of range or finer than a microsecond, an
   * unsigned integer above the largest long, or a decimal of scale 0 beyond a long is a problem row.
   */
  public static void read(String file, RowHandler handler) throws IOException {
    MatchResult.Metadata meta = metadata(file);
    InputFile in = ParquetFiles.input(meta);
    ParquetMetadata footer = readableFooter(file, in);
    ParquetFiles.Schemas schemas = ParquetFiles.Schemas.of(footer.getFileMetaData(), column -> true);
    long n = 0;
    try (ParquetReader<GenericRecord> rows = ParquetFiles.rows(in, schemas.read())) {
      while (true) {
        GenericRecord row;
        try {
          row = rows.read();
        } catch (RuntimeException e) {
          throw new IOException("Parquet file " + file + ": corrupt data after row " + n + ": " + e.getMessage(), e);
        }
        if (row == null) {
          return;
        }
        n++;
        GenericRecord asRead = row;
        Supplier<String> raw = () -> GenericData.get().toString(asRead);
        GenericRecord decoded = row;
        BadRecordException problem = null;
        if (!schemas.special().isEmpty()) {
          // a record of the decoded schema, its special columns turned into Avro values of it
          try {
            decoded = new GenericData.Record(schemas.decoded());
            for (Schema.Field f : schemas.decoded().getFields()) {
              decoded.put(f.pos(), row.get(f.pos()));
            }
            schemas.decode(decoded);
            for (String column : schemas.special().keySet()) {
              int pos = schemas.decoded().getField(column).pos();
              decoded.put(pos, avroValue(column, decoded.get(pos)));
            }
          } catch (BadRecordException e) {
            decoded = null;
            problem = e;
          }
        }
        handler.row(n, decoded, problem, raw);
      }
    }
  }

  /** A decoded value as its decoded schema holds it: instants as microseconds, decimals as doubles or longs. */
  private static Object avroValue(String column, Object v) throws BadRecordException {
    if (v instanceof Instant t) {
      return micros(column, t);
    }
    if (v instanceof BigDecimal d) {
      if (d.scale() > 0) {
        return d.doubleValue();
      }
      try {
        return d.longValueExact();
      } catch (ArithmeticException e) {
        throw new BadRecordException("column '" + column + "': decimal " + d + " is outside the range of an int");
      }
    }
    return v;
  }

  private static long micros(String column, Instant t) throws BadRecordException {
    if (t.getNano() % 1_000 != 0) {
      throw new BadRecordException("column '" + column + "': " + t + " is finer than a microsecond,"
          + " which a spine's timestamp columns keep");
    }
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }

  private static MatchResult.Metadata metadata(String file) throws IOException {
    MatchResult.Metadata meta = FileSystems.matchSingleFileSpec(file);
    String unreadable = ParquetFiles.unreadable(meta);
    if (unreadable != null) {
      throw new IOException(file + ": " + unreadable);
    }
    return meta;
  }
}
