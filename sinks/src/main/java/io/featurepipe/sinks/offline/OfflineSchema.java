package io.featurepipe.sinks.offline;

import io.featurepipe.transforms.decode.SourceSchemas;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.ValueType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;

/**
 * The Avro schema of a group's offline records (DESIGN §4): the entity key fields, {@code
 * window_end} (timestamp-micros), then one nullable field per feature, named as the feature.
 * Types: int → long, double → double, string → string, bool → boolean, timestamp → long
 * timestamp-micros, lists → arrays of those. The record is named {@code <group>_v<version>} in the
 * namespace {@code io.featurepipe.offline}.
 */
public final class OfflineSchema {
  public static final String WINDOW_END = "window_end";
  public static final String NAMESPACE = "io.featurepipe.offline";

  private OfflineSchema() {}

  public static Schema of(FeatureGroupDef group, EntityDef entity) {
    SchemaBuilder.FieldAssembler<Schema> fields =
        SchemaBuilder.record(group.name() + "_v" + group.version())
            .namespace(NAMESPACE)
            .doc("featurepipe offline features of group " + group.name() + ", version " + group.version())
            .fields();
    for (Field k : entity.keys()) {
      fields = fields.name(k.name()).doc("entity key").type(scalar(k.type())).noDefault();
    }
    fields =
        fields
            .name(WINDOW_END)
            .doc("the window end the values are as of (UTC)")
            .type(timestampMicros())
            .noDefault();
    for (FeatureDef f : group.features()) {
      Schema type = type(f.outputType());
      fields =
          fields
              .name(f.name())
              .doc(f.description() == null ? f.aggregation().toString() : f.description())
              .type(Schema.createUnion(Schema.create(Schema.Type.NULL), type))
              .withDefault(null);
    }
    return fields.endRecord();
  }

  static Schema type(ValueType t) {
    Schema element = scalar(t.element());
    return t.list() ? Schema.createArray(element) : element;
  }

  static Schema scalar(ColumnType t) {
    return SourceSchemas.avroType(t);
  }

  static Schema timestampMicros() {
    return LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
  }
}
