package io.featurepipe.validation.schema;

import io.featurepipe.transforms.model.ColumnType;
import org.tensorflow.metadata.v0.FeatureNameStatistics;
import org.tensorflow.metadata.v0.FeatureType;

/** How column types map to schema and statistics types (TFDV's conventions). */
public final class SchemaTypes {
  private SchemaTypes() {}

  /** string → BYTES, double → FLOAT, int, bool and timestamp → INT. */
  public static FeatureType schemaType(ColumnType type) {
    return switch (type) {
      case STRING -> FeatureType.BYTES;
      case DOUBLE -> FeatureType.FLOAT;
      default -> FeatureType.INT;
    };
  }

  /** The schema type statistics of this type imply (STRING and BYTES → BYTES). */
  public static FeatureType schemaType(FeatureNameStatistics.Type type) {
    return switch (type) {
      case INT -> FeatureType.INT;
      case FLOAT -> FeatureType.FLOAT;
      case STRING, BYTES -> FeatureType.BYTES;
      case STRUCT -> FeatureType.STRUCT;
      default -> FeatureType.TYPE_UNKNOWN;
    };
  }
}
