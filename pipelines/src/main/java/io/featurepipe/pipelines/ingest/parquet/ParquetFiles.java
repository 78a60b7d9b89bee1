package io.featurepipe.pipelines.ingest.parquet;

import io.featurepipe.transforms.decode.AvroRecordDecoder;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
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
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetInputFormat;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.LogicalTypeAnnotation;
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
        ReadableByteChannel opened = FileSystems.open(file.resourceId());
        if (!(opened instanceof SeekableByteChannel channel)) {
          opened.close();
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
        : "a Parquet file compressed as a whole (" + compression.name().toLowerCase(Locale.ROOT)
            + ") cannot be read: Parquet compresses its own pages, so store the file as it was written";
  }

  /**
   * The file's schema as the source is checked against ({@link Schemas#checked}); null when it is
   * not a Parquet file (the read makes that a dead letter).
   *
   * @throws IllegalArgumentException naming the file when a column the source reads cannot be read
   *     as the definition says
   */
  static Schema checkedOrNull(SourceDef source, MatchResult.Metadata file) {
    if (unreadable(file) != null) {
      return null;
    }
    FileMetaData footer;
    try {
      footer = footer(input(file));
    } catch (IOException | RuntimeException e) {
      return null;
    }
    try {
      return Schemas.of(footer, named(source, footer)).checked(source);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("source '" + source.name() + "': " + file.resourceId() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The columns whose schema a source checks: those named as its fields, and those named so in
   * another case only (the file lacking the exact name), so that the check refuses them ({@code
   * SchemaEvolution}) instead of the field reading null in every row.
   */
  static Predicate<String> named(SourceDef source, FileMetaData footer) {
    Set<String> columns = new HashSet<>();
    footer.getSchema().getFields().forEach(c -> columns.add(c.getName()));
    return column -> {
      if (source.indexOf(column) >= 0) {
        return true;
      }
      int variant = source.indexDifferingInCase(column);
      return variant >= 0 && !columns.contains(source.fields().get(variant).name());
    };
  }

  /** The columns whose pages are read: those named exactly as the source's fields. */
  static Predicate<String> read(SourceDef source) {
    return column -> source.indexOf(column) >= 0;
  }

  static FileMetaData footer(InputFile in) throws IOException {
    return metadata(in).getFileMetaData();
  }

  /** The whole footer: the schema and, per row group, each column chunk's place and codec. */
  static ParquetMetadata metadata(InputFile in) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(in)) {
      return reader.getFooter();
    }
  }

  /** Why each codec this build cannot decompress cannot be (its codec class absent), by codec. */
  private static final Map<CompressionCodecName, String> UNDECOMPRESSIBLE = new ConcurrentHashMap<>();

  /**
   * Why the columns {@code read} of a file cannot be read, or null when they can: pages compressed
   * with a codec this build has no decompressor for (brotli, Hadoop's LZO), found in the footer
   * instead of as "corrupt data" once the first page is read.
   */
  static String undecompressible(ParquetMetadata footer, Predicate<String> read) {
    for (BlockMetaData block : footer.getBlocks()) {
      for (ColumnChunkMetaData chunk : block.getColumns()) {
        String column = chunk.getPath().toArray()[0];
        String why = read.test(column) ? UNDECOMPRESSIBLE.computeIfAbsent(chunk.getCodec(), ParquetFiles::probe) : "";
        if (!why.isEmpty()) {
          return "column '" + column + "' is compressed with " + chunk.getCodec() + ", which featurepipe cannot"
              + " decompress (" + why + "): rewrite the file with snappy, gzip, zstd or lz4_raw pages";
        }
      }
    }
    return null;
  }

  /** Empty when this build decompresses {@code codec}, else why not. */
  private static String probe(CompressionCodecName codec) {
    CodecFactory codecs = new CodecFactory(configuration(), 0);
    try {
      codecs.getDecompressor(codec);
      return "";
    } catch (RuntimeException | LinkageError e) { // a codec class absent, or its native library
      return e.getMessage() == null || e.getMessage().isEmpty() ? e.toString() : e.getMessage();
    } finally {
      codecs.release();
    }
  }

  /** Columns whose values parquet-avro hands over in another form than the one they hold. */
  enum Kind {
    /** An INT96 legacy timestamp (Spark, Hive): a 12-byte fixed value, read as an instant. */
    INT96,
    /** A TIMESTAMP(NANOS) column: a plain long from parquet-avro, read as an instant. */
    NANOS,
    /** An unsigned 32-bit integer: an int from parquet-avro (wrapped above 2^31), read as a long. */
    UINT32,
    /** An unsigned 64-bit integer: a long from parquet-avro; above 2^63 - 1 a dead letter. */
    UINT64,
    /** A DECIMAL column (any physical type): read as a BigDecimal, then as the field's type. */
    DECIMAL
  }

  /**
   * A file's schemas as Avro.
   *
   * @param read what parquet-avro reads the rows in: the Avro schema the writer stored (when it
   *     names only columns the file has), or the one parquet-avro derives from the Parquet schema's
   *     columns that are wanted (other columns may be of any type, or named as Avro names cannot
   *     be), INT96 columns as 12-byte fixed values
   * @param decoded the same with each {@link Kind} column as what it holds: timestamps as {@code
   *     timestamp-micros}, unsigned integers as longs, decimals as doubles (longs when their scale is
   *     0): what the source is checked against; {@link #decode} turns rows into it
   * @param special the columns of a {@link Kind}, by name
   */
  record Schemas(Schema read, Schema decoded, Map<String, Special> special) {
    /** A column's {@link Kind}, and a decimal's scale (0 for the others). */
    record Special(Kind kind, int scale) {}

    static Schemas of(FileMetaData footer, Predicate<String> wanted) {
      MessageType all = footer.getSchema();
      List<Type> named = all.getFields().stream().filter(c -> wanted.test(c.getName())).toList();
      MessageType parquet = new MessageType(all.getName(), named);
      Schema read = stored(footer.getKeyValueMetaData(), all);
      if (read == null) {
        read = new AvroSchemaConverter(configuration()).convert(parquet);
      }
      Map<String, Special> special = new HashMap<>();
      for (Type column : named) {
        if (!column.isPrimitive()) {
          continue;
        }
        PrimitiveType p = column.asPrimitiveType();
        LogicalTypeAnnotation a = p.getLogicalTypeAnnotation();
        if (p.getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT96) {
          special.put(p.getName(), new Special(Kind.INT96, 0));
        } else if (a instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation t
            && t.getUnit() == LogicalTypeAnnotation.TimeUnit.NANOS) {
          special.put(p.getName(), new Special(Kind.NANOS, 0));
        } else if (a instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && !i.isSigned()) {
          if (i.getBitWidth() == 32) {
            special.put(p.getName(), new Special(Kind.UINT32, 0));
          } else if (i.getBitWidth() == 64) {
            special.put(p.getName(), new Special(Kind.UINT64, 0));
          }
        } else if (a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
          special.put(p.getName(), new Special(Kind.DECIMAL, d.getScale()));
        }
      }
      if (special.isEmpty()) {
        return new Schemas(read, read, Map.of());
      }
      List<Schema.Field> fields = new ArrayList<>();
      for (Schema.Field f : read.getFields()) {
        Special column = special.get(f.name());
        if (column == null) {
          fields.add(new Schema.Field(f, f.schema()));
          continue;
        }
        Kind kind = column.kind();
        Schema plain =
            switch (kind) {
              case INT96, NANOS -> LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
              case UINT32, UINT64 -> Schema.create(Schema.Type.LONG);
              case DECIMAL -> Schema.create(column.scale() == 0 ? Schema.Type.LONG : Schema.Type.DOUBLE);
            };
        boolean optional = f.schema().getType() == Schema.Type.UNION;
        fields.add(new Schema.Field(f.name(), optional ? Schema.createUnion(Schema.create(Schema.Type.NULL), plain) : plain,
            "Parquet " + kind.name().toLowerCase(Locale.ROOT), optional ? Schema.Field.NULL_DEFAULT_VALUE : null));
      }
      Schema decoded = Schema.createRecord(read.getName(), read.getDoc(), read.getNamespace(), false);
      decoded.setFields(fields);
      return new Schemas(read, decoded, Map.copyOf(special));
    }

    /**
     * The Avro schema parquet-avro stored, when every field of it is a column of the file (a file
     * whose columns were pruned after it was written keeps a stale one); else null.
     */
    private static Schema stored(Map<String, String> meta, MessageType columns) {
      for (String key : AVRO_SCHEMA_KEYS) {
        String text = meta.get(key);
        if (text != null) {
          Schema schema = new Schema.Parser().parse(text);
          boolean whole = schema.getType() == Schema.Type.RECORD
              && schema.getFields().stream().allMatch(f -> columns.containsField(f.name()));
          return whole ? schema : null;
        }
      }
      return null;
    }

    /**
     * The decoded schema as the definition is checked against: a column the definition requires
     * is taken as required even where the file marks it optional. Parquet writers (Spark, DuckDB,
     * pyarrow) mark nearly every column optional whatever it holds; a null in such a column is a
     * dead letter for its row, as a missing value is in JSON and CSV, not a refused file.
     *
     * @throws IllegalArgumentException when a timestamp column (INT96, TIMESTAMP(NANOS)) is defined
     *     as anything but a timestamp
     */
    Schema checked(SourceDef source) {
      List<Schema.Field> fields = new ArrayList<>();
      for (Schema.Field f : decoded.getFields()) {
        Kind kind = special.containsKey(f.name()) ? special.get(f.name()).kind() : null;
        ColumnType type = source.field(f.name()).map(Field::type).orElse(null);
        if ((kind == Kind.INT96 || kind == Kind.NANOS) && type != null && type != ColumnType.TIMESTAMP) {
          throw new IllegalArgumentException("column '" + f.name() + "' holds timestamps (Parquet "
              + kind.name().toLowerCase(Locale.ROOT) + ") but the definition reads it as " + type.yamlName());
        }
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

    /** The row with its {@link Kind} columns' values replaced by what they hold (in place). */
    GenericRecord decode(GenericRecord row) throws BadRecordException {
      for (Map.Entry<String, Special> e : special.entrySet()) {
        Schema.Field f = row.getSchema().getField(e.getKey());
        Object v = f == null ? null : row.get(f.pos());
        if (v != null) {
          row.put(f.pos(), value(e.getKey(), e.getValue(), v));
        }
      }
      return row;
    }

    private static Object value(String column, Special special, Object v) throws BadRecordException {
      switch (special.kind()) {
        case INT96:
          return int96Instant(column, ((GenericFixed) v).bytes());
        case NANOS:
          long nanos = (Long) v;
          return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
        case UINT32:
          return Integer.toUnsignedLong((Integer) v);
        case UINT64:
          long x = (Long) v;
          if (x < 0) {
            throw new BadRecordException("field '" + column + "': unsigned value " + Long.toUnsignedString(x)
                + " is above the largest int (" + Long.MAX_VALUE + ")");
          }
          return x;
        case DECIMAL:
          return AvroRecordDecoder.decimal(v, special.scale());
        default:
          throw new IllegalStateException(special.kind().name());
      }
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
