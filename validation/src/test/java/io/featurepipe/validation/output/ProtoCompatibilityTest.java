package io.featurepipe.validation.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.UnknownFieldSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.tensorflow.metadata.v0.AnomalyInfo;
import org.tensorflow.metadata.v0.Anomalies;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;
import org.tensorflow.metadata.v0.DatasetFeatureStatisticsList;
import org.tensorflow.metadata.v0.DistributionConstraints;
import org.tensorflow.metadata.v0.FeatureNameStatistics;
import org.tensorflow.metadata.v0.FeatureType;
import org.tensorflow.metadata.v0.FloatDomain;
import org.tensorflow.metadata.v0.Histogram;
import org.tensorflow.metadata.v0.LifecycleStage;
import org.tensorflow.metadata.v0.Path;
import org.tensorflow.metadata.v0.RankHistogram;
import org.tensorflow.metadata.v0.Schema;
import org.tensorflow.metadata.v0.StringStatistics;

/** The tensorflow_metadata subset: wire facts, binary and text round trips, files written the way TFDV writes them. */
class ProtoCompatibilityTest {

  private static String resource(String name) throws IOException {
    try (InputStream in = ProtoCompatibilityTest.class.getResourceAsStream("/tfdv/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void wireFactsMatchTensorflowMetadata() {
    for (Descriptor proto2 : new Descriptor[] {Schema.getDescriptor(), Anomalies.getDescriptor(), Path.getDescriptor()}) {
      String syntax = proto2.getFile().toProto().getSyntax();
      assertTrue(syntax.isEmpty() || syntax.equals("proto2"), proto2.getFile().getName() + " is " + syntax);
    }
    assertEquals("proto3", DatasetFeatureStatistics.getDescriptor().getFile().toProto().getSyntax());
    assertEquals("tensorflow.metadata.v0", Schema.getDescriptor().getFile().getPackage());
    assertNumber(Histogram.Bucket.getDescriptor(), "sample_count", 4);
    assertNumber(StringStatistics.FreqAndValue.getDescriptor(), "value", 2);
    assertNumber(StringStatistics.FreqAndValue.getDescriptor(), "frequency", 3);
    assertNumber(RankHistogram.Bucket.getDescriptor(), "label", 4);
    assertNumber(RankHistogram.Bucket.getDescriptor(), "sample_count", 5);
    assertNumber(FeatureNameStatistics.getDescriptor(), "path", 8);
    assertNumber(Anomalies.getDescriptor(), "drift_skew_info", 9);
    assertNumber(AnomalyInfo.getDescriptor(), "path", 8);
    assertEquals(FieldDescriptor.Type.FLOAT, FloatDomain.getDescriptor().findFieldByName("min").getType());
    assertEquals(1.0, DistributionConstraints.getDefaultInstance().getMinDomainMass());
    assertEquals(AnomalyInfo.Type.UNKNOWN_TYPE, AnomalyInfo.Reason.getDefaultInstance().getType());
    assertEquals(89, AnomalyInfo.Type.values().length); // proto2: closed, every value 0..88
    for (int n = 0; n <= 88; n++) {
      assertTrue(AnomalyInfo.Type.forNumber(n) != null, "AnomalyInfo.Type " + n);
    }
    assertEquals(88, AnomalyInfo.Type.BOOL_TYPE_INVALID_CONFIG.getNumber());
    assertEquals(9, LifecycleStage.VALIDATION_DERIVED.getNumber());
    assertEquals(2, FeatureType.INT.getNumber());
    assertEquals(0, FeatureNameStatistics.Type.INT.getNumber());
    assertTrue(Schema.getDescriptor().toProto().getReservedRangeList().stream().anyMatch(r -> r.getStart() == 2));
  }

  private static void assertNumber(Descriptor d, String field, int number) {
    assertEquals(number, d.findFieldByName(field).getNumber(), d.getName() + "." + field);
  }

  @Test
  void tfdvSchemaTextRoundTrips() throws IOException {
    Schema schema = ProtoText.parse(resource("schema.pbtxt"), Schema.newBuilder());
    assertEquals(5, schema.getFeatureCount());
    assertEquals("payment_type", schema.getFeature(0).getDomain());
    assertTrue(schema.getFeature(0).getDriftComparator().getInfinityNorm().hasThreshold());
    assertEquals(500.0f, schema.getFeature(3).getFloatDomain().getMax());
    assertFalse(schema.getFeature(2).getPresence().hasMinFraction()); // proto2 presence is tracked
    Schema again = ProtoText.parse(ProtoText.print(schema), Schema.newBuilder());
    assertEquals(schema, again);
    assertArrayEquals(schema.toByteArray(), Schema.parseFrom(schema.toByteArray()).toByteArray());
  }

  @Test
  void tfdvAnomaliesTextRoundTrips() throws IOException {
    Anomalies a = ProtoText.parse(resource("anomalies.pbtxt"), Anomalies.newBuilder());
    AnomalyInfo info = a.getAnomalyInfoOrThrow("payment_type");
    assertEquals(AnomalyInfo.Severity.ERROR, info.getSeverity());
    assertEquals(AnomalyInfo.Type.ENUM_TYPE_UNEXPECTED_STRING_VALUES, info.getReason(0).getType());
    assertEquals(Anomalies.AnomalyNameFormat.SERIALIZED_PATH, a.getAnomalyNameFormat());
    assertEquals(0.0231, a.getDriftSkewInfo(0).getDriftMeasurements(0).getValue());
    assertEquals(a, ProtoText.parse(ProtoText.print(a), Anomalies.newBuilder()));
    assertEquals(a, Anomalies.parseFrom(a.toByteArray()));
  }

  @Test
  void fieldsOutsideTheSubsetSurviveBinaryRoundTrips() throws IOException {
    // Schema.tensor_representation_group (13) is not in the subset: binary keeps it
    Schema withUnknown =
        Schema.newBuilder()
            .addFeature(org.tensorflow.metadata.v0.Feature.newBuilder().setName("x"))
            .setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(13, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("\n\u0001a")).build())
                .build())
            .build();
    byte[] bytes = withUnknown.toByteArray();
    assertArrayEquals(bytes, Schema.parseFrom(bytes).toByteArray());
    // text: the strict parser names the unknown field, the lenient one skips it
    String text = "feature { name: \"x\" }\ntensor_representation_group { key: \"\" value { } }\n";
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProtoText.parse(text, Schema.newBuilder()));
    assertTrue(e.getMessage().contains("tensor_representation_group"), e.getMessage());
    Schema lenient = ProtoText.parseLenient(text, Schema.newBuilder());
    assertEquals("x", lenient.getFeature(0).getName());
  }

  @Test
  void statisticsBinaryRoundTrip() throws IOException {
    DatasetFeatureStatisticsList list =
        DatasetFeatureStatisticsList.newBuilder()
            .addDatasets(DatasetFeatureStatistics.newBuilder().setName("All Examples").setNumExamples(3)
                .addFeatures(FeatureNameStatistics.newBuilder().setPath(Path.newBuilder().addStep("f"))
                    .setType(FeatureNameStatistics.Type.STRING)
                    .setStringStats(StringStatistics.newBuilder().setUnique(2)
                        .addTopValues(StringStatistics.FreqAndValue.newBuilder().setValue("a").setFrequency(2)))))
            .build();
    assertEquals(list, DatasetFeatureStatisticsList.parseFrom(list.toByteArray()));
    assertEquals(list, ProtoText.parse(ProtoText.print(list), DatasetFeatureStatisticsList.newBuilder()));
  }
}
