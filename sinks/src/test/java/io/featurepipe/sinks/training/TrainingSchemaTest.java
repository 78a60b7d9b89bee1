package io.featurepipe.sinks.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.sinks.offline.OfflineTestValues;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.record.FeatureRow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DatumWriter;
import org.junit.jupiter.api.Test;

/**
 * The training rows' own datum writer writes the bytes a generic datum writer writes for {@link
 * TrainingSchema#toAvro}'s record: every feature of every group of the sample repository (every
 * output type of the sample, lists, a two-part key) beside spine columns of every kind (keys, a timestamp, a
 * label, nullable columns, a column named as a feature), over random values with nulls and
 * extremes, groups joined or empty.
 */
class TrainingSchemaTest {
  private static final FeatureRepository REPO = load();

  private static FeatureRepository load() {
    try {
      return RepositoryLoader.load(Path.of("../feature-defs/payments"));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static FeatureSelection everything() {
    List<String> groups = new ArrayList<>();
    REPO.allGroups().forEach(g -> groups.add(g.name() + ":*"));
    return FeatureSelection.parse(REPO, String.join(",", groups));
  }

  /** The selection's key columns, then a timestamp, a label, nullable columns and one named as a feature. */
  private static Schema spineSchema(FeatureSelection selection) {
    SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record("spine").fields();
    for (Field k : selection.keyColumns()) {
      fields = fields.name(k.name()).type(k.type() == ColumnType.STRING
          ? Schema.create(Schema.Type.STRING) : Schema.create(Schema.Type.LONG)).noDefault();
    }
    String clash = selection.features().get(0).feature().name();
    return fields
        .name("event_time").type(LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
        .name("is_fraud").type().booleanType().noDefault()
        .name("note").type().nullable().stringType().noDefault()
        .name("score").type().nullable().doubleType().noDefault()
        .name(clash).type().nullable().longType().noDefault()
        .endRecord();
  }

  @Test
  void theRowWriterWritesTheGenericRecordsBytes() throws Exception {
    FeatureSelection selection = everything();
    Schema spine = spineSchema(selection);
    TrainingSchema training = TrainingSchema.of(spine, selection);
    assertTrue(training.featureColumns().stream().anyMatch(c -> c.contains("__")), "a feature named after its group");
    DatumWriter<JoinedRow> direct = training.datumWriter();
    direct.setSchema(training.schema());
    GenericDatumWriter<GenericRecord> generic = new GenericDatumWriter<>(training.schema());
    GenericDatumWriter<GenericRecord> spineWriter = new GenericDatumWriter<>(spine);
    Set<ColumnType> types = EnumSet.noneOf(ColumnType.class);
    selection.features().forEach(s -> types.add(s.feature().outputType().element()));
    assertTrue(types.containsAll(EnumSet.of(ColumnType.INT64, ColumnType.DOUBLE, ColumnType.STRING, ColumnType.BOOL)),
        "every output type of the sample is selected (timestamps: OfflineRecordsTest): " + types);
    assertTrue(selection.features().stream().anyMatch(s -> s.feature().outputType().list()), "a list feature");

    Random random = new Random(11);
    for (int n = 0; n < 2_000; n++) {
      GenericRecord s = new GenericData.Record(spine);
      List<Object> keys = new ArrayList<>();
      for (Field k : selection.keyColumns()) {
        Object v = k.type() == ColumnType.STRING ? "k" + random.nextInt(50) : (long) random.nextInt(50);
        s.put(k.name(), v);
        keys.add(v);
      }
      s.put("event_time", random.nextLong());
      s.put("is_fraud", random.nextBoolean());
      s.put("note", random.nextBoolean() ? null : List.of("", "Zürich", "a\uD800b", "x".repeat(200)).get(random.nextInt(4)));
      s.put("score", random.nextBoolean() ? null : random.nextGaussian());
      s.put(spine.getFields().get(spine.getFields().size() - 1).name(), random.nextBoolean() ? null : random.nextLong());
      SpineRow row = new SpineRow(n, "spine.csv:" + (n + 2), random.nextLong(), keys, OfflineTestValues.bytes(spineWriter, s));

      List<FeatureRow> groups = new ArrayList<>();
      for (FeatureGroupDef g : selection.groups()) {
        Object[] values = new Object[g.features().size()];
        boolean empty = random.nextInt(4) == 0;
        for (int f = 0; f < values.length && !empty; f++) {
          values[f] = random.nextInt(5) == 0 ? null : value(g.features().get(f), random);
        }
        List<Object> key = new ArrayList<>();
        for (int p : selection.keyPositions(g)) {
          key.add(keys.get(p));
        }
        groups.add(new FeatureRow(g.name(), g.version(), key, 0L, values, empty, new BitSet(), false, 0));
      }
      JoinedRow joined = new JoinedRow(row, groups);
      assertArrayEquals(OfflineTestValues.bytes(generic, training.toAvro(joined)), OfflineTestValues.bytes(direct, joined), "row " + n);
    }
  }

  @Test
  void aValueOfTheWrongTypeFailsNamingTheColumnAndTheSpineRow() {
    FeatureSelection selection = FeatureSelection.parse(REPO, "user_spend:*");
    TrainingSchema training = TrainingSchema.of(spineSchema(selection), selection);
    FeatureGroupDef g = selection.groups().get(0);
    Object[] values = new Object[g.features().size()];
    values[selection.features().get(1).index()] = new Object();
    JoinedRow joined = new JoinedRow(new SpineRow(0, "spine.csv:7", 0L, List.of("u"), new byte[0]),
        List.of(new FeatureRow(g.name(), g.version(), List.of("u"), 0L, values, false, new BitSet(), false, 0)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OfflineTestValues.bytes(training.datumWriter(), joined));
    assertTrue(e.getMessage().contains("spine.csv:7") && e.getMessage().contains("'" + training.featureColumns().get(1) + "'"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> training.datumWriter().setSchema(Schema.create(Schema.Type.LONG)));

    FeatureSelection withList = everything();
    TrainingSchema listed = TrainingSchema.of(spineSchema(withList), withList);
    FeatureSelection.Selected list = withList.features().stream()
        .filter(s -> s.feature().outputType().list()).findFirst().orElseThrow();
    List<FeatureRow> groups = new ArrayList<>();
    for (FeatureGroupDef group : withList.groups()) {
      Object[] vs = new Object[group.features().size()];
      if (group == list.group()) {
        vs[list.index()] = java.util.Arrays.asList((Object) null);
      }
      groups.add(new FeatureRow(group.name(), group.version(), List.of(), 0L, vs, false, new BitSet(), false, 0));
    }
    JoinedRow nullInList = new JoinedRow(new SpineRow(0, "spine.csv:9", 0L, List.of(), new byte[0]), groups);
    IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> OfflineTestValues.bytes(listed.datumWriter(), nullInList));
    assertTrue(n.getMessage().contains("spine.csv:9") && n.getMessage().contains(list.feature().name()), n.getMessage());
  }

  private static Object value(FeatureDef f, Random random) {
    if (!f.outputType().list()) {
      return OfflineTestValues.scalar(f.outputType().element(), random);
    }
    List<Object> list = new ArrayList<>();
    for (int i = random.nextInt(4); i > 0; i--) {
      list.add(OfflineTestValues.scalar(f.outputType().element(), random));
    }
    return list;
  }
}
