package io.featurepipe.pipelines.ingest.parquet;

import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetInputFormat;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Parquet files read through Beam's file systems: a file is opened as Parquet's {@link InputFile}
 * over the file system's seekable channel (local files, object stores), its schema is read from
 * the footer as Avro, and its rows are read as Avro records of the fields a source defines.
 */
final class ParquetFiles {
  /** parquet-avro writes the Avro schema it was given under this key (older writers: "avro.schema"). */
  private static final List<String> AVRO_SCHEMA_KEYS = List.of("parquet.avro.schema", "avro.schema");

  /** {@code AvroReadSupport.setAvroReadSchema}'s key (the method takes a Hadoop configuration only). */
  private static final String AVRO_READ_SCHEMA = "parquet.avro.read.schema";

  private static final long NANOS_PER_DAY = 86_400_000_000_000L;
  /** The Julian day number of 1970-01-01. */
  private static final long JULIAN_DAY_OF_EPOCH = 2_440_588L;

  private ParquetFiles() {}

  /** A file of a file system as Parquet reads it: every stream opens a channel of its own. */
  static InputFile input(MatchResult.Metadata file) {
    return new InputFile() {
      @Override
      public long getLength() {
        return file.sizeBytes();
      }

      @Override
      public SeekableInputStream newStream() throws IOException {
        if (!(FileSystems.open(file.resourceId()) instanceof SeekableByteChannel channel)) {
          throw new IOException("the file system gives no random access to " + file.resourceId());
        }
        return new DelegatingSeekableInputStream(Channels.newInputStream(channel)) {
          @Override
          public long getPos() throws IOException {
            return channel.position();
          }

          @Override
          public void seek(long newPos) throws IOException {
            channel.position(newPos);
          }
        };
      }

      @Override
      public String toString() {
        return file.resourceId().toString();
      }
    };
  }

  /** Why a file cannot be read as Parquet before it is opened (compressed as a whole), or null. */
  static String unreadable(MatchResult.Metadata file) {
    Compression compression = Compression.detect(file.resourceId().getFilename());
    return compression == Compression.UNCOMPRESSED
        ? null
        : "a Parquet file compressed as a whole (" + compression.name().toLowerCase(java.util.Locale.ROOT)
            + ") cannot be read: Parquet compresses its own pages, so store the file as it was written";
  }

  /** The file's schema as the source is checked against ({@link Schemas#checked}); null when it is not a Parquet file. */
  static Schema checkedOrNull(SourceDef source, MatchResult.Metadata file) {
    if (unreadable(file) != null) {
      return null;
    }
    try {
      return Schemas.of(footer(input(file)), source).checked(source);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static FileMetaData footer(InputFile in) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(in)) {
      return reader.getFooter().getFileMetaData();
    }
  }

  /**
   * A file's schemas as Avro.
   *
   * @param read what parquet-avro reads the rows in: the Avro schema the writer stored, or the one
   *     it derives from the Parquet schema's columns that the source names (other columns may be
   *     of any type, or named as Avro names cannot be), INT96 columns as 12-byte fixed values
   * @param decoded the same, with the INT96 columns as the timestamps they hold (Spark and Hive
   *     wrote timestamps so): the records the source decodes
   * @param int96 the names of the INT96 columns
   */
  record Schemas(Schema read, Schema decoded, Set<String> int96) {
    static Schemas of(FileMetaData footer, SourceDef source) {
      Map<String, String> meta = footer.getKeyValueMetaData();
      for (String key : AVRO_SCHEMA_KEYS) {
        String stored = meta.get(key);
        if (stored != null) {
          Schema schema = new Schema.Parser().parse(stored);
          return new Schemas(schema, schema, Set.of());
        }
      }
      MessageType all = footer.getSchema();
      List<Type> named =
          all.getFields().stream().filter(c -> source.field(c.getName()).isPresent()).toList();
      MessageType parquet = new MessageType(all.getName(), named);
      Schema read = new AvroSchemaConverter(configuration()).convert(parquet);
      Set<String> int96 = new HashSet<>();
      for (Type column : parquet.getFields()) {
        if (column.isPrimitive()
            && column.asPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT96) {
          int96.add(column.getName());
        }
      }
      if (int96.isEmpty()) {
        return new Schemas(read, read, Set.of());
      }
      List<Schema.Field> fields = new ArrayList<>();
      for (Schema.Field f : read.getFields()) {
        if (!int96.contains(f.name())) {
          fields.add(new Schema.Field(f, f.schema()));
          continue;
        }
        Schema ts = LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
        boolean optional = f.schema().getType() == Schema.Type.UNION;
        fields.add(new Schema.Field(f.name(), optional ? Schema.createUnion(Schema.create(Schema.Type.NULL), ts) : ts,
            "INT96 timestamp", optional ? Schema.Field.NULL_DEFAULT_VALUE : null));
      }
      Schema decoded = Schema.createRecord(read.getName(), read.getDoc(), read.getNamespace(), false);
      decoded.setFields(fields);
      return new Schemas(read, decoded, Set.copyOf(int96));
    }

    /**
     * The decoded schema as the definition is checked against: a column the definition requires
     * is taken as required even where the file marks it optional. Parquet writers (Spark, DuckDB,
     * pyarrow) mark nearly every column optional whatever it holds; a null in such a column is a
     * dead letter for its row, as a missing value is in JSON and CSV, not a refused file.
     */
    Schema checked(SourceDef source) {
      List<Schema.Field> fields = new ArrayList<>();
      for (Schema.Field f : decoded.getFields()) {
        boolean required =
            f.name().equals(source.timestampColumn())
                || source.field(f.name()).map(Field::required).orElse(false);
        Schema nonNull = AvroSchemaConverter.getNonNull(f.schema());
        fields.add(required && nonNull != f.schema()
            ? new Schema.Field(f.name(), nonNull, f.doc(), null)
            : new Schema.Field(f, f.schema()));
      }
      Schema out = Schema.createRecord(decoded.getName(), decoded.getDoc(), decoded.getNamespace(), false);
      out.setFields(fields);
      return out;
    }

    /** The row with its INT96 values replaced by the instants they hold (in place). */
    GenericRecord decode(GenericRecord row) throws BadRecordException {
      for (String name : int96) {
        Schema.Field f = row.getSchema().getField(name);
        if (f != null && row.get(f.pos()) instanceof GenericFixed v) {
          row.put(f.pos(), int96Instant(name, v.bytes()));
        }
      }
      return row;
    }
  }

  /**
   * An INT96 timestamp: nanoseconds of the day (8 bytes) then the Julian day number (4 bytes),
   * both little-endian, in UTC.
   */
  static Instant int96Instant(String column, byte[] bytes) throws BadRecordException {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long nanosOfDay = b.getLong();
    int julianDay = b.getInt();
    if (nanosOfDay < 0 || nanosOfDay >= NANOS_PER_DAY) {
      throw new BadRecordException("field '" + column + "': INT96 value of Julian day " + julianDay + " holds "
          + nanosOfDay + " nanoseconds of the day, not a time of day");
    }
    return Instant.ofEpochSecond((julianDay - JULIAN_DAY_OF_EPOCH) * 86_400L + nanosOfDay / 1_000_000_000L,
        nanosOfDay % 1_000_000_000L);
  }

  /** The writer schema's fields that the source defines: the columns a read decodes. */
  static Schema projection(SourceDef source, Schema writer) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Field f : source.fields()) {
      Schema.Field wf = writer.getField(f.name());
      if (wf != null) {
        fields.add(new Schema.Field(wf, wf.schema()));
      }
    }
    Schema out = Schema.createRecord(writer.getName(), writer.getDoc(), writer.getNamespace(), false);
    out.setFields(fields);
    return out;
  }

  /**
   * A reader of the file's rows as records of {@code projection}: only the projection's columns
   * are read, each in the file's own Parquet type (parquet-avro's projection would ask for an
   * INT96 column as a fixed-length one, which the file does not hold).
   */
  static ParquetReader<GenericRecord> rows(InputFile in, Schema projection) throws IOException {
    ParquetConfiguration conf = configuration();
    // the schema the records are made in (else the stored schema's, every field of it)
    conf.set(AVRO_READ_SCHEMA, projection.toString());
    Set<String> columns = new HashSet<>();
    projection.getFields().forEach(f -> columns.add(f.name()));
    ReadSupport<GenericRecord> support =
        new AvroReadSupport<>(GenericData.get()) {
          @Override
          public ReadContext init(InitContext context) {
            ReadContext all = super.init(context);
            MessageType file = context.getFileSchema();
            List<Type> read = file.getFields().stream().filter(c -> columns.contains(c.getName())).toList();
            return new ReadContext(new MessageType(file.getName(), read), all.getReadSupportMetadata());
          }
        };
    return new ParquetReader.Builder<GenericRecord>(in, conf) {
      @Override
      protected ReadSupport<GenericRecord> getReadSupport() {
        return support;
      }
    }.build();
  }

  private static ParquetConfiguration configuration() {
    ParquetConfiguration conf = new PlainParquetConfiguration();
    conf.setBoolean(AvroReadSupport.READ_INT96_AS_FIXED, true);
    // a damaged page fails its CRC (writers store one by default) instead of decoding as other values
    conf.setBoolean(ParquetInputFormat.PAGE_VERIFY_CHECKSUM_ENABLED, true);
    return conf;
  }
}
