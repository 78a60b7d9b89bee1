package io.featurepipe.validation.proof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.validation.anomalies.ValidateStatistics;
import io.featurepipe.validation.anomalies.ValidationOptions;
import io.featurepipe.validation.gate.GateDecision;
import io.featurepipe.validation.gate.GateIssue;
import io.featurepipe.validation.gate.QualityGate;
import io.featurepipe.validation.schema.SchemaFromDefinitions;
import io.featurepipe.validation.testing.Corruption;
import io.featurepipe.validation.testing.Repositories;
import io.featurepipe.validation.testing.SamplePayments;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.metadata.v0.Anomalies;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;
import org.tensorflow.metadata.v0.DriftSkewInfo;

/**
 * The sample payments of the first week are the baseline; the clean second week passes the gate,
 * a deliberately corrupted copy of it (nulls, out-of-range values, a shifted amount distribution, a
 * flood of a new currency) yields ERROR anomalies naming the right features and the gate blocks.
 */
class CorruptedBatchTest {
  private static FeatureRepository repository;
  private static Map<String, DatasetFeatureStatistics> baseline;
  private static List<SourceRecord> clean;

  @BeforeAll
  static void load() {
    // the sample definitions, plus a drift threshold on the amount distribution
    repository = Repositories.withExpect(SamplePayments.repository(), "user_spend", "amount", Map.of("max_drift", 0.1));
    baseline = statistics(SamplePayments.payments(repository, 2, 5));
    clean = SamplePayments.payments(repository, 9, 12);
  }

  /** Statistics of the payments source ("payments/source") and each group's input ("<group>/input"). */
  private static Map<String, DatasetFeatureStatistics> statistics(List<SourceRecord> records) {
    Map<String, DatasetFeatureStatistics> out = new LinkedHashMap<>();
    out.put("payments/source", SamplePayments.sourceStatistics(repository.source("payments"), records));
    SamplePayments.groupInputs(repository, records).forEach((g, s) -> out.put(g + "/input", s));
    return out;
  }

  private static Map<String, Anomalies> validate(Map<String, DatasetFeatureStatistics> current) {
    Map<String, Anomalies> out = new LinkedHashMap<>();
    SourceDef source = repository.source("payments");
    out.put("payments/source", ValidateStatistics.validate(current.get("payments/source"),
        SchemaFromDefinitions.forSource(source),
        ValidationOptions.defaults().withBaseline(baseline.get("payments/source"))));
    for (FeatureGroupDef g : repository.groupsOf("payments")) {
      String name = g.name() + "/input";
      out.put(name, ValidateStatistics.validate(current.get(name),
          SchemaFromDefinitions.forGroupInput(repository, g),
          ValidationOptions.defaults().withBaseline(baseline.get(name))));
    }
    return out;
  }

  @Test
  void cleanBatchPassesAndRecordsEveryDriftMeasurement() {
    Map<String, Anomalies> anomalies = validate(statistics(clean));
    GateDecision decision = QualityGate.decide(QualityGate.Mode.BLOCK, anomalies);
    assertEquals(GateDecision.Verdict.PASS, decision.verdict(), decision.reason());
    // comparators record their measurement even when they pass
    Anomalies spend = anomalies.get("user_spend/input");
    Set<String> measured =
        spend.getDriftSkewInfoList().stream().map(d -> d.getPath().getStep(0)).collect(Collectors.toSet());
    assertEquals(Set.of("currency", "country", "merchant_id", "amount"), measured);
    for (DriftSkewInfo d : spend.getDriftSkewInfoList()) {
      DriftSkewInfo.Measurement m = d.getDriftMeasurements(0);
      assertTrue(m.getValue() <= m.getThreshold(), d.toString());
    }
  }

  @Test
  void corruptedBatchBlocksNamingTheFeatures() {
    List<SourceRecord> corrupted = Corruption.corrupt(repository.source("payments"), clean, 42);
    Map<String, Anomalies> anomalies = validate(statistics(corrupted));
    GateDecision decision = QualityGate.decide(QualityGate.Mode.BLOCK, anomalies);
    assertEquals(GateDecision.Verdict.BLOCK, decision.verdict());

    Set<String> errors =
        decision.errors().stream().map(i -> i.dataset() + " " + i.feature() + " " + i.type()).collect(Collectors.toSet());
    for (String expected : List.of(
        "user_merchant_affinity/input amount FEATURE_TYPE_LOW_FRACTION_PRESENT", // nulls
        "user_spend/input amount FLOAT_TYPE_SMALL_FLOAT",                        // out of range
        "user_spend/input amount FLOAT_TYPE_BIG_FLOAT",
        "merchant_risk/input amount FLOAT_TYPE_BIG_FLOAT",
        "user_spend/input amount_eur FLOAT_TYPE_BIG_FLOAT",
        "user_spend/input amount COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH",     // shifted distribution
        "user_spend/input currency COMPARATOR_L_INFTY_HIGH")) {                  // new category flood
      assertTrue(errors.contains(expected), expected + " missing from " + decision.reason());
    }
    // nothing about columns that were not touched
    assertFalse(errors.stream().anyMatch(e -> e.contains(" merchant_id ") || e.contains(" user_id ")), decision.reason());

    GateIssue presence = decision.errors().stream()
        .filter(i -> i.feature().equals("amount") && i.type().equals("FEATURE_TYPE_LOW_FRACTION_PRESENT"))
        .findFirst().orElseThrow();
    assertEquals(0.99, presence.threshold(), 0.0);
    assertTrue(presence.measured() < 0.96 && presence.measured() > 0.94, presence.toString());
    assertTrue(decision.reason().startsWith("blocked by "), decision.reason());
    assertTrue(decision.reason().contains("user_spend/input / currency: COMPARATOR_L_INFTY_HIGH"), decision.reason());

    // in warn mode the same anomalies only warn
    assertEquals(GateDecision.Verdict.WARN, QualityGate.decide(QualityGate.Mode.WARN, anomalies).verdict());
  }
}
