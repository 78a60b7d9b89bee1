package io.featurepipe.sinks.offline;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.record.FeatureRow;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.FastReaderBuilder;
import org.apache.avro.util.Utf8;

/**
 * Converts a group's {@link FeatureRow}s to and from their offline Avro records
 * ({@link OfflineSchema}). Timestamps travel as epoch nanoseconds in rows and as microseconds in
 * Avro (DESIGN §4), so sub-microsecond precision of timestamp-valued features is cut.
 */
public final class OfflineRecords implements Serializable {
  private final FeatureGroupDef group;
  private final EntityDef entity;
  private transient Schema schema;

  public OfflineRecords(FeatureGroupDef group, EntityDef entity) {
    this.group = group;
    this.entity = entity;
  }

  public Schema schema() {
    if (schema == null) {
      schema = OfflineSchema.of(group, entity);
    }
    return schema;
  }

  public GenericRecord toAvro(FeatureRow row) {
    // by position (OfflineSchema's field order: keys, window_end, features): a put by name is a
    // field-map lookup per value, a large share of writing a backfill's partitions
    GenericRecord r = new GenericData.Record(schema());
    int keys = entity.keys().size();
    for (int i = 0; i < keys; i++) {
      r.put(i, row.key().get(i));
    }
    r.put(keys, row.windowEndMillis() * 1000L);
    List<FeatureDef> features = group.features();
    Object[] values = row.values();
    for (int f = 0; f < features.size(); f++) {
      r.put(keys + 1 + f, toAvro(values[f], features.get(f).outputType().element()));
    }
    return r;
  }

  /**
   * The row of a record read in {@link #schema()} (as reader schema, as every reader of the offline
   * store does), its fields read by position.
   */
  public FeatureRow fromAvro(GenericRecord r) {
    return fromAvro(r, keyOf(r), windowEndMillisOf(r));
  }

  /**
   * The key of a record read in {@link #schema()} (as reader schema, so its fields are in
   * {@link OfflineSchema}'s order: keys, window end, features), read by position.
   */
  public List<Object> keyOf(GenericRecord r) {
    int keys = entity.keys().size();
    List<Object> key = new ArrayList<>(keys);
    for (int i = 0; i < keys; i++) {
      key.add(fromAvro(r.get(i), entity.keys().get(i).type()));
    }
    return key;
  }

  /** The window end (epoch millis) of a record read in {@link #schema()}, read by position. */
  public long windowEndMillisOf(GenericRecord r) {
    return Math.floorDiv((Long) r.get(entity.keys().size()), 1000L);
  }

  /**
   * The row of a record read in {@link #schema()}, its features read by position, with its key and
   * window end already read ({@link #keyOf}, {@link #windowEndMillisOf}).
   */
  public FeatureRow fromAvro(GenericRecord r, List<Object> key, long windowEndMillis) {
    int first = entity.keys().size() + 1;
    List<FeatureDef> features = group.features();
    Object[] values = new Object[features.size()];
    for (int f = 0; f < values.length; f++) {
      values[f] = fromAvro(r.get(first + f), features.get(f).outputType().element());
    }
    return new FeatureRow(group.name(), group.version(), key, windowEndMillis, values, false, new BitSet(), false, 0);
  }

  /**
   * Writes rows straight into the Avro encoding of {@link #schema()}: the same bytes as {@link
   * #toAvro(FeatureRow)} written by a generic datum writer, without building a record per row and
   * resolving each nullable field's union through the generic writer (writing the partitions took
   * 12% of a full-size backfill's CPU samples that way, 6% this way; docs/benchmarks.md).
   */
  public DatumWriter<FeatureRow> datumWriter() {
    List<ColumnType> keys = keyTypes();
    ColumnType[] elements = elements();
    boolean[] lists = lists();
    return new DatumWriter<>() {
      @Override
      public void setSchema(Schema given) {
        if (!given.equals(schema())) {
          throw new IllegalArgumentException("the rows of group " + group.name() + " are written in " + schema() + ", not " + given);
        }
      }

      @Override
      public void write(FeatureRow row, Encoder out) throws IOException {
        int field = 0; // the schema's field being written, for the error
        try {
          List<Object> key = row.key();
          for (; field < keys.size(); field++) {
            writeScalar(key.get(field), keys.get(field), out); // keys go as they are, as in toAvro
          }
          out.writeLong(row.windowEndMillis() * 1000L);
          field++;
          Object[] values = row.values();
          for (int f = 0; f < elements.length; f++, field++) {
            writeNullable(values[f], elements[f], lists[f], out);
          }
        } catch (ClassCastException | NullPointerException e) {
          throw new IllegalArgumentException("group " + group.name() + ", key " + row.key() + ", window end "
              + row.windowEndMillis() + ": field '" + schema().getFields().get(field).name()
              + "' holds no value of its offline type (" + e.getMessage() + ")", e);
        }
      }
    };
  }

  /**
   * Writes a feature's value (null, or as rows hold it) as its nullable offline field, {@code
   * ["null", T]}: what {@link #toAvro(FeatureRow)} puts there, as a generic datum writer writes it.
   * The training set's rows hold the same fields.
   *
   * @throws ClassCastException if the value is not of the feature's type
   */
  public static void writeNullable(Object v, ColumnType element, boolean list, Encoder out) throws IOException {
    if (v == null) {
      out.writeIndex(0);
      return;
    }
    out.writeIndex(1);
    if (list) {
      List<?> values = (List<?>) v;
      out.writeArrayStart();
      out.setItemCount(values.size());
      for (Object o : values) {
        out.startItem();
        writeScalar(toAvro(o, element), element, out);
      }
      out.writeArrayEnd();
    } else {
      writeScalar(toAvro(v, element), element, out);
    }
  }

  private List<ColumnType> keyTypes() {
    return entity.keys().stream().map(Field::type).toList();
  }

  /** Each feature's element type, in the group's order. */
  private ColumnType[] elements() {
    return group.features().stream().map(f -> f.outputType().element()).toArray(ColumnType[]::new);
  }

  /** Whether each feature is a list, in the group's order. */
  private boolean[] lists() {
    List<FeatureDef> features = group.features();
    boolean[] lists = new boolean[features.size()];
    for (int f = 0; f < lists.length; f++) {
      lists[f] = features.get(f).outputType().list();
    }
    return lists;
  }

  /** Which rows a {@link #datumReader reader} decodes whole, by key and window end (epoch millis). */
  @FunctionalInterface
  public interface RowFilter {
    boolean wants(List<Object> key, long windowEndMillis);
  }

  /**
   * Reads offline records as rows ({@link #fromAvro(GenericRecord)}'s rows), returning null for
   * the records {@code filter} does not want (by key and window end). For a file written in {@link
   * #schema()} (every file this group version's writer wrote) the records are read straight from
   * the Avro decoder, field by field in {@link OfflineSchema}'s order, and the features of a record
   * not wanted are skipped, not decoded: a reader that keeps a few rows of a partition (the training
   * set's) pays for the keys and window ends of the rest (reading and filtering the offline rows,
   * every field of every row decoded, took a fifth of a full-size training set's CPU samples;
   * BENCHMARKS.md). A file in another schema goes through Avro's schema resolution ({@code
   * FastReaderBuilder}, the file's schema as writer, {@link #schema()} as reader), every field
   * decoded, so the rows are the same either way.
   */
  public DatumReader<FeatureRow> datumReader(RowFilter filter) {
    return new RowReader(filter);
  }

  /** {@link #datumReader}. */
  final class RowReader implements DatumReader<FeatureRow> {
    private final RowFilter filter;
    private final List<ColumnType> keys = keyTypes();
    private final ColumnType[] elements = elements();
    private final boolean[] lists = lists();
    /** The bytes of a string skipped, read (and so checked) as Avro reads a string. */
    private final Utf8 skipped = new Utf8();
    /** Null while the file is in {@link #schema()}: the records are then read directly. */
    private DatumReader<GenericRecord> resolving;
    private boolean given;

    RowReader(RowFilter filter) {
      this.filter = filter;
    }

    /** Whether the file's records are read straight from the decoder (the file is in {@link #schema()}). */
    boolean readsDirectly() {
      return given && resolving == null;
    }

    @Override
    public void setSchema(Schema writer) {
      given = true;
      if (writer.equals(schema())) {
        resolving = null;
        return;
      }
      try {
        resolving = FastReaderBuilder.get().createDatumReader(writer, schema());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public FeatureRow read(FeatureRow reuse, Decoder in) throws IOException {
      if (!given) {
        throw new IllegalStateException("no file schema given to read the rows of group " + group.name());
      }
      if (resolving != null) {
        GenericRecord r = resolving.read(null, in);
        List<Object> key = keyOf(r);
        long end = windowEndMillisOf(r);
        return filter.wants(key, end) ? fromAvro(r, key, end) : null;
      }
      List<Object> key = new ArrayList<>(keys.size());
      for (ColumnType k : keys) {
        key.add(readScalar(k, in));
      }
      long end = Math.floorDiv(in.readLong(), 1000L);
      boolean wanted = filter.wants(key, end);
      Object[] values = wanted ? new Object[elements.length] : null;
      for (int f = 0; f < elements.length; f++) {
        int branch = in.readIndex();
        if (branch == 0) {
          continue;
        }
        if (branch != 1) {
          throw new AvroRuntimeException("group " + group.name() + ", field '" + group.features().get(f).name()
              + "': union branch " + branch + " of a nullable field (0 or 1)");
        }
        if (!lists[f]) {
          Object v = readOrSkip(elements[f], in, wanted);
          if (wanted) {
            values[f] = v;
          }
          continue;
        }
        List<Object> list = new ArrayList<>();
        for (long n = in.readArrayStart(); n != 0; n = in.arrayNext()) {
          for (long i = 0; i < n; i++) {
            Object v = readOrSkip(elements[f], in, wanted);
            if (wanted) {
              list.add(v);
            }
          }
        }
        if (wanted) {
          values[f] = list;
        }
      }
      return wanted
          ? new FeatureRow(group.name(), group.version(), key, end, values, false, new BitSet(), false, 0)
          : null;
    }

    /**
     * A non-null value of {@code type} read, when {@code wanted}; else moved past (null), failing
     * where reading it would (a string's negative length).
     */
    private Object readOrSkip(ColumnType type, Decoder in, boolean wanted) throws IOException {
      if (wanted) {
        return readScalar(type, in);
      }
      switch (type) {
        case STRING -> in.readString(skipped);
        case INT64, TIMESTAMP -> in.readLong();
        case DOUBLE -> in.skipFixed(8);
        case BOOL -> in.readBoolean();
        default -> throw new IllegalArgumentException("no offline Avro type for " + type);
      }
      return null;
    }
  }

  /** A non-null value of {@code type} as rows hold it, read from its Avro type ({@link #fromAvro(Object, ColumnType)}). */
  private static Object readScalar(ColumnType type, Decoder in) throws IOException {
    return switch (type) {
      case STRING -> in.readString();
      case INT64 -> Long.valueOf(in.readLong());
      case TIMESTAMP -> Long.valueOf(in.readLong() * 1000L);
      case DOUBLE -> Double.valueOf(in.readDouble());
      case BOOL -> Boolean.valueOf(in.readBoolean());
      default -> throw new IllegalArgumentException("no offline Avro type for " + type);
    };
  }

  /** A non-null value of the Avro type of {@code type} ({@link OfflineSchema#scalar}). */
  private static void writeScalar(Object v, ColumnType type, Encoder out) throws IOException {
    switch (type) {
      case STRING -> out.writeString((String) v);
      case INT64, TIMESTAMP -> out.writeLong((Long) v);
      case DOUBLE -> out.writeDouble((Double) v);
      case BOOL -> out.writeBoolean((Boolean) v);
      default -> throw new IllegalArgumentException("no offline Avro type for " + type);
    }
  }

  private static Object toAvro(Object v, ColumnType element) {
    if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object o : list) {
        out.add(toAvro(o, element));
      }
      return out;
    }
    if (v != null && element == ColumnType.TIMESTAMP) {
      return Math.floorDiv((Long) v, 1000L);
    }
    return v;
  }

  private static Object fromAvro(Object v, ColumnType element) {
    if (v == null) {
      return null;
    }
    if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object o : list) {
        out.add(fromAvro(o, element));
      }
      return out;
    }
    if (v instanceof CharSequence cs) {
      return cs.toString();
    }
    if (element == ColumnType.TIMESTAMP) {
      return ((Long) v) * 1000L;
    }
    return v;
  }
}
