package io.featurepipe.validation.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.validation.output.ProtoText;
import io.featurepipe.validation.testing.Repositories;
import io.featurepipe.validation.testing.SamplePayments;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.metadata.v0.Feature;
import org.tensorflow.metadata.v0.FeatureType;
import org.tensorflow.metadata.v0.Schema;
import org.tensorflow.metadata.v0.TimeDomain;

class SchemaFromDefinitionsTest {
  private static Feature feature(Schema s, String name) {
    return s.getFeatureList().stream().filter(f -> f.getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void sourceSchemaHasTypesAndRequiredFields() {
    Schema s = SchemaFromDefinitions.forSource(SamplePayments.repository().source("payments"));
    assertEquals(11, s.getFeatureCount());
    assertEquals(FeatureType.INT, feature(s, "event_time").getType());
    assertEquals(TimeDomain.IntegerTimeFormat.UNIX_MILLISECONDS, feature(s, "event_time").getTimeDomain().getIntegerFormat());
    assertEquals(1.0, feature(s, "user_id").getPresence().getMinFraction());
    assertFalse(feature(s, "amount").getPresence().hasMinFraction());
    assertTrue(feature(s, "is_fraud").hasBoolDomain());
    assertEquals(FeatureType.FLOAT, feature(s, "amount").getType());
  }

  @Test
  void groupSchemasCarryTheExpectations() {
    FeatureRepository repo = Repositories.withExpect(SamplePayments.repository(), "user_spend", "channel",
        Map.of("domain", List.of("pos", "web", "app"), "regex", "[a-z]+", "max_skew", 0.05, "severity", "warning"));
    Schema input = SchemaFromDefinitions.forGroupInput(repo, repo.group("user_spend"));
    Feature amount = feature(input, "amount");
    assertEquals(0.0f, amount.getFloatDomain().getMin());
    assertEquals(100000.0f, amount.getFloatDomain().getMax());
    assertEquals(1.0, amount.getPresence().getMinFraction());
    assertEquals(0.1, feature(input, "currency").getDriftComparator().getInfinityNorm().getThreshold());
    assertEquals(FeatureType.FLOAT, feature(input, "amount_eur").getType()); // derived column
    Feature channel = feature(input, "channel");
    assertEquals(List.of("pos", "web", "app"), channel.getStringDomain().getValueList());
    assertEquals(0.05, channel.getSkewComparator().getInfinityNorm().getThreshold());
    assertEquals(List.of("featurepipe.regex=[a-z]+", "featurepipe.severity=warning"), channel.getAnnotation().getTagList());

    Schema features = SchemaFromDefinitions.forGroupFeatures(repo, repo.group("user_spend"));
    assertEquals("user_id", features.getFeature(0).getName()); // the entity key, always present
    assertEquals(1.0, features.getFeature(0).getPresence().getMinFraction());
    assertEquals(500, feature(features, "txn_count_1d").getIntDomain().getMax());
    Feature lastCountries = feature(features, "last_countries");
    assertEquals(FeatureType.BYTES, lastCountries.getType());
    assertFalse(lastCountries.getValueCount().hasMax()); // a list feature
    // the text form parses back to the same schema
    assertEquals(input, ProtoText.parse(ProtoText.print(input), Schema.newBuilder()));
  }

  @Test
  void floatBoundsRoundOutwards() {
    FeatureRepository repo = Repositories.withExpect(SamplePayments.repository(), "user_spend", "amount_eur", Map.of("min", 0.1, "max", 0.3));
    Feature f = feature(SchemaFromDefinitions.forGroupInput(repo, repo.group("user_spend")), "amount_eur");
    assertTrue(f.getFloatDomain().getMin() <= 0.1 && f.getFloatDomain().getMax() >= 0.3, f.toString());
  }
}
