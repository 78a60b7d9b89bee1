package io.featurepipe.validation.anomalies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.validation.columns.Column;
import io.featurepipe.validation.columns.DatasetColumns;
import io.featurepipe.validation.columns.DatasetKind;
import io.featurepipe.validation.columns.ExampleValues;
import io.featurepipe.validation.schema.InferSchema;
import io.featurepipe.validation.schema.SchemaFromDefinitions;
import io.featurepipe.validation.stats.DatasetAccumulator;
import io.featurepipe.validation.stats.StatisticsCombineFn;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.metadata.v0.AnomalyInfo;
import org.tensorflow.metadata.v0.Anomalies;
import org.tensorflow.metadata.v0.DatasetConstraints;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;
import org.tensorflow.metadata.v0.Feature;
import org.tensorflow.metadata.v0.FeatureComparator;
import org.tensorflow.metadata.v0.FeaturePresence;
import org.tensorflow.metadata.v0.FeatureType;
import org.tensorflow.metadata.v0.InfinityNorm;
import org.tensorflow.metadata.v0.IntDomain;
import org.tensorflow.metadata.v0.NumericValueComparator;
import org.tensorflow.metadata.v0.Schema;
import org.tensorflow.metadata.v0.StringDomain;
import org.tensorflow.metadata.v0.UniqueConstraints;

/** Each anomaly rule on small hand-made datasets. */
class ValidateStatisticsTest {
  private static final DatasetColumns COLUMNS =
      new DatasetColumns("t", DatasetKind.SOURCE, List.of(
          new Column("n", ColumnType.INT64, false, Column.Origin.SOURCE),
          new Column("s", ColumnType.STRING, false, Column.Origin.SOURCE),
          new Column("flag", ColumnType.BOOL, false, Column.Origin.SOURCE)));

  private static DatasetFeatureStatistics stats(Object[]... rows) {
    StatisticsCombineFn<Object[]> fn = StatisticsCombineFn.of(COLUMNS, ExampleValues.rows());
    DatasetAccumulator acc = fn.createAccumulator();
    for (Object[] r : rows) {
      fn.addInput(acc, r);
    }
    return fn.extractOutput(acc);
  }

  private static final DatasetFeatureStatistics CLEAN =
      stats(new Object[] {1L, "a", true}, new Object[] {5L, "b", false}, new Object[] {3L, "a", true}, new Object[] {4L, "a", false});

  private static Feature.Builder feature(String name, FeatureType type) {
    return Feature.newBuilder().setName(name).setType(type);
  }

  private static List<AnomalyInfo.Type> types(Anomalies a, String feature) {
    return a.getAnomalyInfoOrThrow(feature).getReasonList().stream().map(AnomalyInfo.Reason::getType).toList();
  }

  @Test
  void inferredSchemaValidatesItsOwnStatistics() {
    Schema schema = InferSchema.from(CLEAN);
    Anomalies a = ValidateStatistics.validate(CLEAN, schema);
    assertEquals(0, a.getAnomalyInfoCount(), a.toString());
    assertFalse(a.getDataMissing());
    assertTrue(schema.getFeature(2).hasBoolDomain());
    assertEquals("s", schema.getFeature(1).getDomain());
    assertEquals(List.of("a", "b"), schema.getStringDomain(0).getValueList());
  }

  @Test
  void newAndMissingColumnsTypesAndPresence() {
    Schema schema = Schema.newBuilder()
        .addFeature(feature("n", FeatureType.FLOAT))
        .addFeature(feature("s", FeatureType.BYTES).setPresence(FeaturePresence.newBuilder().setMinFraction(1.0)))
        .addFeature(feature("gone", FeatureType.INT).setPresence(FeaturePresence.newBuilder().setMinCount(1)))
        .build();
    DatasetFeatureStatistics withMissing = stats(new Object[] {1L, null, true}, new Object[] {2L, "a", true});
    Anomalies a = ValidateStatistics.validate(withMissing, schema);
    assertEquals(List.of(AnomalyInfo.Type.UNEXPECTED_DATA_TYPE), types(a, "n"));
    assertEquals(List.of(AnomalyInfo.Type.FEATURE_TYPE_LOW_FRACTION_PRESENT), types(a, "s"));
    assertEquals(0.5, AnomalyReasons.measured(a.getAnomalyInfoOrThrow("s").getReason(0)));
    assertEquals(1.0, AnomalyReasons.threshold(a.getAnomalyInfoOrThrow("s").getReason(0)));
    assertEquals(List.of(AnomalyInfo.Type.SCHEMA_MISSING_COLUMN), types(a, "gone"));
    assertEquals(List.of(AnomalyInfo.Type.SCHEMA_NEW_COLUMN), types(a, "flag"));
    assertEquals("flag", a.getAnomalyInfoOrThrow("flag").getPath().getStep(0));
  }

  @Test
  void domainsUniqueAndSeverities() {
    Schema schema = Schema.newBuilder()
        .addFeature(feature("n", FeatureType.INT).setIntDomain(IntDomain.newBuilder().setMin(2).setMax(4)))
        .addFeature(feature("s", FeatureType.BYTES).setStringDomain(StringDomain.newBuilder().addValue("a"))
            .setUniqueConstraints(UniqueConstraints.newBuilder().setMax(1)))
        .addFeature(feature("flag", FeatureType.INT))
        .build();
    Anomalies a = ValidateStatistics.validate(CLEAN, schema,
        ValidationOptions.defaults().withSeverity(AnomalyInfo.Type.FEATURE_TYPE_HIGH_UNIQUE, AnomalyInfo.Severity.WARNING));
    assertEquals(List.of(AnomalyInfo.Type.INT_TYPE_SMALL_INT, AnomalyInfo.Type.INT_TYPE_BIG_INT), types(a, "n"));
    assertEquals(List.of(AnomalyInfo.Type.ENUM_TYPE_UNEXPECTED_STRING_VALUES, AnomalyInfo.Type.FEATURE_TYPE_HIGH_UNIQUE), types(a, "s"));
    assertEquals(0.25, AnomalyReasons.measured(a.getAnomalyInfoOrThrow("s").getReason(0)));
    assertEquals(AnomalyInfo.Severity.ERROR, a.getAnomalyInfoOrThrow("s").getSeverity()); // highest of its reasons
    assertEquals("Multiple errors", a.getAnomalyInfoOrThrow("s").getShortDescription());
    // severity annotation from the definitions
    Schema warned = schema.toBuilder().setFeature(0, schema.getFeature(0).toBuilder()
        .setAnnotation(org.tensorflow.metadata.v0.Annotation.newBuilder().addTag(SchemaFromDefinitions.SEVERITY_TAG + "warning"))).build();
    assertEquals(AnomalyInfo.Severity.WARNING,
        ValidateStatistics.validate(CLEAN, warned).getAnomalyInfoOrThrow("n").getSeverity());
  }

  @Test
  void driftAndSkewAreMeasuredEvenWhenFine() {
    FeatureComparator linf = FeatureComparator.newBuilder().setInfinityNorm(InfinityNorm.newBuilder().setThreshold(0.3)).build();
    Schema schema = InferSchema.from(CLEAN).toBuilder().clearStringDomain().build();
    schema = schema.toBuilder().setFeature(1, schema.getFeature(1).toBuilder().clearDomain().setDriftComparator(linf).setSkewComparator(linf)).build();
    DatasetFeatureStatistics previous = stats(new Object[] {1L, "a", true}, new Object[] {1L, "b", true});
    Anomalies a = ValidateStatistics.validate(CLEAN, schema,
        ValidationOptions.defaults().withBaseline(previous).withServing(CLEAN));
    assertEquals(1, a.getDriftSkewInfoCount());
    assertEquals(0.25, a.getDriftSkewInfo(0).getDriftMeasurements(0).getValue(), 1e-12); // a: 0.75 vs 0.5
    assertEquals(0.0, a.getDriftSkewInfo(0).getSkewMeasurements(0).getValue(), 1e-12);
    assertEquals(0, a.getAnomalyInfoCount());
    DatasetFeatureStatistics shifted = stats(new Object[] {1L, "b", true}, new Object[] {1L, "b", true}, new Object[] {1L, "c", true});
    Anomalies b = ValidateStatistics.validate(shifted, schema, ValidationOptions.defaults().withBaseline(previous));
    assertEquals(List.of(AnomalyInfo.Type.COMPARATOR_L_INFTY_HIGH), types(b, "s"));
    assertTrue(b.getAnomalyInfoOrThrow("s").getDescription().contains("maximum difference is: a"));
  }

  @Test
  void datasetCountsAndMissingData() {
    Schema schema = InferSchema.from(CLEAN).toBuilder()
        .setDatasetConstraints(DatasetConstraints.newBuilder().setMinExamplesCount(10)
            .setNumExamplesDriftComparator(NumericValueComparator.newBuilder().setMinFractionThreshold(0.9).setMaxFractionThreshold(1.1)))
        .build();
    Anomalies a = ValidateStatistics.validate(CLEAN, schema,
        ValidationOptions.defaults().withBaseline(stats(new Object[] {1L, "a", true})));
    List<AnomalyInfo.Type> dataset = a.getDatasetAnomalyInfo().getReasonList().stream().map(AnomalyInfo.Reason::getType).toList();
    assertEquals(List.of(AnomalyInfo.Type.DATASET_LOW_NUM_EXAMPLES, AnomalyInfo.Type.COMPARATOR_HIGH_NUM_EXAMPLES), dataset);
    Anomalies empty = ValidateStatistics.validate(stats(), InferSchema.from(CLEAN));
    assertTrue(empty.getDataMissing());
  }
}
