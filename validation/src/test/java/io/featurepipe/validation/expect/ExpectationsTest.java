package io.featurepipe.validation.expect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.validation.columns.DatasetKind;
import io.featurepipe.validation.testing.Repositories;
import io.featurepipe.validation.testing.SamplePayments;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.metadata.v0.AnomalyInfo;

class ExpectationsTest {

  @Test
  void sampleExpectationsAreValidAndSplitByDataset() {
    FeatureRepository repo = SamplePayments.repository();
    GroupExpectations spend = Expectations.of(repo, repo.group("user_spend"));
    ColumnExpectation amount = spend.columns().get("amount");
    assertEquals(0.0, amount.min());
    assertEquals(100000.0, amount.max());
    assertEquals(1.0, amount.presence());
    assertEquals(DatasetKind.GROUP_INPUT, amount.dataset());
    assertEquals(DatasetKind.GROUP_INPUT, spend.columns().get("amount_eur").dataset());
    assertEquals(DatasetKind.GROUP_FEATURES, spend.columns().get("txn_count_1d").dataset());
    assertEquals(0.1, spend.columns().get("currency").maxDistinctDrift());
    assertEquals(4, Expectations.of(repo).size());
  }

  @Test
  void everyMistakeIsReportedWithFileGroupColumnAndKey() {
    FeatureRepository repo = SamplePayments.repository();
    repo = Repositories.withExpect(repo, "user_spend", "amount", Map.of("min", 10, "max", 5, "mni", 1, "presence", 1.5));
    repo = Repositories.withExpect(repo, "user_spend", "currency", Map.of("regex", "([A-Z", "max_drift", "lots"));
    repo = Repositories.withExpect(repo, "user_spend", "amount_eur", Map.of("max_distinct_drift", 0.1, "domain", List.of(1, 2)));
    repo = Repositories.withExpect(repo, "user_spend", "txn_count_1d", Map.of("domain", List.of("a"), "severity", "fatal"));
    repo = Repositories.withExpect(repo, "user_spend", "no_such_column", Map.of("min", 1));
    FeatureRepository broken = repo;
    ExpectationException e =
        assertThrows(ExpectationException.class, () -> Expectations.of(broken, broken.group("user_spend")));
    String prefix = "user_spend.yaml:4: feature group 'user_spend', expect ";
    List<String> expected = List.of(
        prefix + "'amount'.'mni': unknown key; supported: min, max, presence, domain, regex, max_distinct_drift, max_drift, max_skew, severity",
        prefix + "'amount'.'min': min 10 is above max 5",
        prefix + "'amount'.'presence': expected a fraction between 0 and 1, got 1.5",
        prefix + "'amount_eur'.'domain': only applies to string, int and bool columns, not to a double column",
        prefix + "'amount_eur'.'max_distinct_drift': only applies to string columns, not to a double column (use max_drift for a Jensen-Shannon threshold)",
        prefix + "'currency'.'regex': not a valid regular expression: Unclosed character class near index 4",
        prefix + "'currency'.'max_drift': expected a number, got \"lots\"",
        prefix + "'txn_count_1d'.'domain': value \"a\" is not a int",
        prefix + "'txn_count_1d'.'severity': expected warning or error, got \"fatal\"",
        prefix + "'no_such_column': no such source, derived, key or feature column");
    assertEquals(expected.stream().sorted().toList(), e.errors().stream().sorted().toList());
  }

  @Test
  void severityIsRead() {
    FeatureRepository repo =
        Repositories.withExpect(SamplePayments.repository(), "user_spend", "country", Map.of("severity", "warning"));
    assertEquals(AnomalyInfo.Severity.WARNING,
        Expectations.of(repo, repo.group("user_spend")).columns().get("country").severity());
  }
}
