package io.featurepipe.runners.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Feature selectors: what is read, the output names of DESIGN §5, and the mistakes named. */
class FeatureSelectionTest {
  static FeatureRepository repo;

  @BeforeAll
  static void load() throws Exception {
    Map<String, String> files = new LinkedHashMap<>();
    try (Stream<Path> defs = Files.list(Path.of("..", "feature-defs", "payments"))) {
      for (Path f : defs.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        files.put(f.getFileName().toString(), Files.readString(f));
      }
    }
    files.put("payment_context.yaml", new String(FeatureSelectionTest.class.getResourceAsStream("/serving/payment_context.yaml").readAllBytes()));
    repo = RepositoryLoader.load(files);
  }

  private static List<String> names(FeatureSelection s) {
    return s.columns().stream().map(FeatureSelection.Column::outputName).toList();
  }

  @Test
  void oneGroupUsesPlainNamesAndOneWindowEnd() {
    FeatureSelection s = FeatureSelection.parse(repo, List.of("user_spend:txn_count_1d,user_spend:last_countries", "user_spend:txn_count_1d"));
    assertEquals(List.of("txn_count_1d", "last_countries"), names(s), "a feature selected twice is read once");
    assertEquals(ValueType.listOf(ColumnType.STRING), s.columns().get(1).type());
    assertEquals(List.of("user_spend"), s.groups());
    assertEquals(List.of(new FeatureSelection.WindowColumns("user_spend", "_window_end", "_fresh")), s.windows());
    assertEquals(List.of(new FeatureSelection.KeyColumn("user_id", ColumnType.STRING, List.of("user"))), s.keyColumns());
    assertEquals(repo.group("user_spend").features().size(), FeatureSelection.parse(repo, List.of("user_spend:*")).columns().size());
  }

  @Test
  void collidingNamesAreQualifiedAndEachGroupHasItsWindowEnd() {
    FeatureSelection s = FeatureSelection.parse(repo, List.of("user_spend:txn_count_1d,merchant_risk:txn_count_1d,merchant_risk:users_1d"));
    assertEquals(List.of("user_spend.txn_count_1d", "merchant_risk.txn_count_1d", "users_1d"), names(s));
    assertEquals(List.of("user_id", "merchant_id"), s.keyColumns().stream().map(FeatureSelection.KeyColumn::name).toList());
    assertEquals(List.of("user_spend._window_end", "merchant_risk._window_end"),
        s.windows().stream().map(FeatureSelection.WindowColumns::windowEnd).toList());
    // the composite entity shares its key columns with the single ones
    FeatureSelection c = FeatureSelection.parse(repo, List.of("user_merchant_affinity:visits_7d,user_spend:txn_count_1d"));
    assertEquals(List.of(new FeatureSelection.KeyColumn("user_id", ColumnType.STRING, List.of("user_merchant", "user")),
        new FeatureSelection.KeyColumn("merchant_id", ColumnType.STRING, List.of("user_merchant"))), c.keyColumns());
  }

  @Test
  void requestFeaturesReadTheirGroupsAndCollideLikeFeatures() {
    FeatureSelection s = FeatureSelection.parse(repo, List.of("payment_context:txn_count_1d,payment_context:risky,merchant_risk:txn_count_1d"));
    assertEquals(List.of("payment_context.txn_count_1d", "risky", "merchant_risk.txn_count_1d"), names(s));
    assertEquals(List.of("merchant_risk", "user_spend"), s.groups(), "the selected group first, then those the request features read");
    assertEquals(List.of("payment_context"), s.requestFeatures().stream().map(r -> r.name()).toList());
    assertEquals(FeatureSelection.Kind.REQUEST, s.columns().get(0).kind());
    assertEquals(ValueType.scalar(ColumnType.INT64), s.columns().get(0).type());
  }

  @Test
  void mistakesAreNamed() {
    assertMessage(List.of(), "no features selected");
    assertMessage(List.of(" , "), "no features selected");
    assertMessage(List.of("user_spend"), "feature selector 'user_spend' is not owner:feature or owner:*");
    assertMessage(List.of("user_spend:"), "feature selector 'user_spend:' is not owner:feature");
    assertMessage(List.of(":x"), "feature selector ':x' is not owner:feature");
    assertMessage(List.of("merchant_rsk:*"), "unknown feature group or request features 'merchant_rsk' in 'merchant_rsk:*'; did you mean 'merchant_risk'?");
    assertMessage(List.of("user_spend:txn_count_2h"), "feature group 'user_spend' has no feature 'txn_count_2h'; did you mean 'txn_count_1h'?");
    assertMessage(List.of("payment_context:risk"), "request features 'payment_context' have no feature 'risk'; did you mean 'risky'?");
  }

  private static void assertMessage(List<String> selectors, String fragment) {
    InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> FeatureSelection.parse(repo, selectors));
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }
}
