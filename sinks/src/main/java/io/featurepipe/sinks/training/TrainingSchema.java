package io.featurepipe.sinks.training;

import io.featurepipe.sinks.offline.OfflineRecords;
import io.featurepipe.sinks.offline.OfflineSchema;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.record.FeatureRow;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.Encoder;

/**
 * The Avro schema of a training set and the conversion of {@link JoinedRow}s to its records: every
 * spine column as the spine has it (name, type, order), then one nullable field per selected
 * feature, typed as in the offline store ({@link OfflineSchema}) and named by {@link
 * FeatureSelection#columnNames}. The record is {@code io.featurepipe.training.training_set}.
 */
public final class TrainingSchema implements Serializable {
  public static final String NAMESPACE = "io.featurepipe.training";
  public static final String RECORD = "training_set";

  private final String spineSchemaJson;
  private final FeatureSelection selection;
  private final List<String> featureColumns;
  private final List<OfflineRecords> offline;
  private transient Schema spine;
  private transient Schema schema;
  private transient GenericDatumReader<GenericRecord> reader;
  private transient BinaryDecoder decoder;

  private TrainingSchema(Schema spineSchema, FeatureSelection selection) {
    this.spineSchemaJson = spineSchema.toString();
    this.selection = selection;
    List<String> spineColumns = new ArrayList<>();
    spineSchema.getFields().forEach(f -> spineColumns.add(f.name()));
    this.featureColumns = selection.columnNames(spineColumns);
    this.offline = new ArrayList<>();
    for (FeatureGroupDef g : selection.groups()) {
      offline.add(new OfflineRecords(g, selection.entityOf(g)));
    }
    schema();
  }

  /**
   * The training set of a spine (its columns as an Avro record schema) and a selection.
   *
   * @throws IllegalArgumentException when a feature cannot be named (see {@link
   *     FeatureSelection#columnNames}) or the spine lacks a key column of a selected entity
   */
  public static TrainingSchema of(Schema spineSchema, FeatureSelection selection) {
    Set<String> names = new HashSet<>();
    spineSchema.getFields().forEach(f -> names.add(f.name()));
    for (FeatureGroupDef g : selection.groups()) {
      for (var k : selection.entityOf(g).keys()) {
        if (!names.contains(k.name())) {
          throw new IllegalArgumentException(
              "the spine has no column '" + k.name() + "', a key of entity '" + g.entity() + "' that group '"
                  + g.name() + "' needs; spine columns: " + String.join(", ", names));
        }
      }
    }
    return new TrainingSchema(spineSchema, selection);
  }

  public FeatureSelection selection() {
    return selection;
  }

  /** The spine's own schema (the first fields of {@link #schema()}). */
  public Schema spineSchema() {
    if (spine == null) {
      spine = new Schema.Parser().parse(spineSchemaJson);
    }
    return spine;
  }

  /** The output column of each selected feature, in {@link FeatureSelection#features()} order. */
  public List<String> featureColumns() {
    return featureColumns;
  }

  /** The training set's record schema. */
  public Schema schema() {
    if (schema == null) {
      List<Schema.Field> fields = new ArrayList<>();
      for (Schema.Field f : spineSchema().getFields()) {
        fields.add(new Schema.Field(f, f.schema()));
      }
      List<FeatureSelection.Selected> features = selection.features();
      for (int i = 0; i < features.size(); i++) {
        FeatureSelection.Selected s = features.get(i);
        Schema type = offline.get(selection.groups().indexOf(s.group())).schema().getField(s.feature().name()).schema();
        fields.add(new Schema.Field(featureColumns.get(i), type, doc(s), Schema.Field.NULL_DEFAULT_VALUE));
      }
      schema = Schema.createRecord(RECORD, "featurepipe point-in-time training set: spine columns, then features", NAMESPACE, false, fields);
    }
    return schema;
  }

  private static String doc(FeatureSelection.Selected s) {
    FeatureGroupDef g = s.group();
    return g.name() + "." + s.feature().name() + " (version " + g.version() + "): " + s.feature().aggregation()
        + " over " + Durations.format(g.windowOf(s.feature())) + " as of the last window end "
        + Durations.format(g.availabilityDelay()) + " or more before the spine time"
        + (s.feature().description() == null ? "" : ". " + s.feature().description().trim());
  }

  /** The training record of a joined row. */
  public GenericRecord toAvro(JoinedRow row) {
    GenericRecord spineRecord = decodeSpine(row.spine().record());
    GenericRecord out = new GenericData.Record(schema());
    int spineFields = spineSchema().getFields().size();
    for (int i = 0; i < spineFields; i++) {
      out.put(i, spineRecord.get(i));
    }
    GenericRecord[] groups = new GenericRecord[offline.size()];
    List<FeatureSelection.Selected> features = selection.features();
    for (int i = 0; i < features.size(); i++) {
      FeatureSelection.Selected s = features.get(i);
      int g = selection.groups().indexOf(s.group());
      if (groups[g] == null) {
        FeatureRow r = row.groups().get(g);
        groups[g] = offline.get(g).toAvro(r);
      }
      out.put(spineFields + i, groups[g].get(s.feature().name()));
    }
    return out;
  }

  /**
   * Writes joined rows straight into the Avro encoding of {@link #schema()}: the bytes a generic
   * datum writer writes for {@link #toAvro}'s record, without decoding the spine record and building
   * a record per row. The spine's columns are the spine row's own record (encoded in the spine's
   * schema, whose fields come first in this one, by the same writer), each feature is written from
   * its group's row ({@link OfflineRecords#writeNullable}).
   */
  public DatumWriter<JoinedRow> datumWriter() {
    List<FeatureSelection.Selected> features = selection.features();
    int[] groups = new int[features.size()];
    int[] indexes = new int[features.size()];
    ColumnType[] elements = new ColumnType[features.size()];
    boolean[] lists = new boolean[features.size()];
    for (int i = 0; i < groups.length; i++) {
      FeatureSelection.Selected s = features.get(i);
      groups[i] = selection.groups().indexOf(s.group());
      indexes[i] = s.index();
      elements[i] = s.feature().outputType().element();
      lists[i] = s.feature().outputType().list();
    }
    return new DatumWriter<>() {
      @Override
      public void setSchema(Schema given) {
        if (!given.equals(schema())) {
          throw new IllegalArgumentException("training rows are written in " + schema() + ", not " + given);
        }
      }

      @Override
      public void write(JoinedRow row, Encoder out) throws IOException {
        out.writeFixed(row.spine().record());
        for (int i = 0; i < groups.length; i++) {
          Object v = row.groups().get(groups[i]).values()[indexes[i]];
          try {
            OfflineRecords.writeNullable(v, elements[i], lists[i], out);
          } catch (ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("spine row " + row.spine().origin() + ": column '" + featureColumns.get(i)
                + "' holds no value of its offline type (" + e.getMessage() + ")", e);
          }
        }
      }
    };
  }

  private GenericRecord decodeSpine(byte[] bytes) {
    if (reader == null) {
      reader = new GenericDatumReader<>(spineSchema());
    }
    decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
    try {
      return reader.read(null, decoder);
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt spine record", e);
    }
  }
}
