package io.featurepipe.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.featurepipe.runners.serve.ServingStore;
import io.featurepipe.runners.serve.TypedValues;
import io.featurepipe.transforms.compute.CompiledGroup;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.record.FeatureRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code featurepipe get} against a store filled from a backfill of the sample ({@link
 * ServingStore}): values equal the offline point-in-time values, as of a time and as of now, fresh
 * flags, composite keys, name collisions, request features, and every mistake named.
 */
@ExtendWith(ServingStore.Resolver.class)
class GetCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static ServingStore store;
  /** A window end on the last day with rows of many keys, and a time whose e(t) is it. */
  private static final Instant E = Instant.parse("2026-01-09T10:00:00Z");
  private static final String T = "2026-01-09T10:19:07.123456789Z"; // e(t) = 10:00 (delay 2m, hop 1h)

  @BeforeAll
  static void store(ServingStore s) {
    store = s;
  }

  private static CliRun get(String... args) {
    List<String> all = new ArrayList<>(List.of("get", store.repositoryDir.toString()));
    all.addAll(Arrays.asList(args));
    all.addAll(Arrays.asList(store.storeArgs(store.features)));
    return CliRun.of(all.toArray(new String[0]));
  }

  private static List<JsonNode> lines(CliRun run) throws Exception {
    assertEquals(0, run.exitCode(), run.err() + run.out());
    List<JsonNode> out = new ArrayList<>();
    for (String line : run.out().split("\n")) {
      if (!line.isBlank()) {
        out.add(JSON.readTree(line));
      }
    }
    return out;
  }

  private static FeatureRow offlineRow(String group, Instant e, String keyPrefix) throws Exception {
    return store.offlineRows(group, LocalDate.of(2026, 1, 9)).stream()
        .filter(r -> r.windowEndMillis() == e.toEpochMilli() && r.key().get(0).toString().startsWith(keyPrefix))
        .findFirst().orElseThrow();
  }

  private static List<String> names(JsonNode o) {
    List<String> out = new ArrayList<>();
    Iterator<String> it = o.fieldNames();
    it.forEachRemaining(out::add);
    return out;
  }

  /** Every feature of a group in a row object equals the offline values, by the same names. */
  private static void assertValues(FeatureGroupDef g, Object[] expected, JsonNode row, String prefix) {
    for (int f = 0; f < g.features().size(); f++) {
      FeatureDef fd = g.features().get(f);
      // as text: the parser reads small integers as IntNode, the writer writes LongNode
      assertEquals(TypedValues.toJson(expected[f], fd.outputType()).toString(), String.valueOf(row.get(prefix + fd.name())),
          g.name() + "." + fd.name());
    }
  }

  @Test
  void readsEqualTheOfflinePointInTimeValuesInTheOrderOfDesignSection5() throws Exception {
    FeatureGroupDef spend = store.repository.group("user_spend");
    FeatureRow row = offlineRow("user_spend", E, "u");
    List<JsonNode> out = lines(get("--features", "user_spend:*", "--key", "user_id=" + row.key().get(0), "--as-of", T));
    assertEquals(1, out.size());
    JsonNode o = out.get(0);
    List<String> expectedNames = new ArrayList<>(List.of("user_id"));
    spend.features().forEach(f -> expectedNames.add(f.name()));
    expectedNames.addAll(List.of("_window_end", "_fresh"));
    assertEquals(expectedNames, names(o));
    assertEquals(row.key().get(0), o.get("user_id").asText());
    assertValues(spend, row.values(), o, "");
    assertEquals("2026-01-09T10:00:00Z", o.get("_window_end").asText());
    assertTrue(o.get("_fresh").asBoolean());
    assertTrue(o.get("txn_count_7d").isIntegralNumber() && o.get("txn_count_7d").asLong() > 0, o.toString());
    assertTrue(o.get("last_countries").isArray(), o.toString());

    // a user the store never saw: the empty values of DESIGN §2
    JsonNode nobody = lines(get("--features", "user_spend:*", "--key", "user_id=u9999", "--as-of", T)).get(0);
    assertValues(spend, CompiledGroup.of(store.repository, spend).emptyValues(), nobody, "");
    assertEquals(0, nobody.get("txn_count_1d").asLong());
    assertTrue(nobody.get("amount_eur_mean_7d").isNull());
    assertEquals(0, nobody.get("top_amounts_eur_7d").size());
  }

  @Test
  void asOfNowReadsTheLatestWrittenWindowEndAndSaysItIsNotFresh() throws Exception {
    FeatureGroupDef risk = store.repository.group("merchant_risk");
    Instant m = Instant.parse("2026-01-09T23:00:00Z");
    FeatureRow row = offlineRow("merchant_risk", m, "m001");
    JsonNode now = lines(get("--features", "merchant_risk:*", "--key", "merchant_id=m001")).get(0);
    assertEquals(m.toString(), now.get("_window_end").asText());
    assertFalse(now.get("_fresh").asBoolean(), "the store's M (January 2026) is behind the wall clock");
    assertValues(risk, row.values(), now, "");
    // a time after M: the values of M, not fresh; exactly at M + delay: fresh
    JsonNode after = lines(get("--features", "merchant_risk:txn_count_1d", "--key", "merchant_id=m001", "--as-of", "2026-01-10T05:00:00Z")).get(0);
    assertEquals(List.of("merchant_id", "txn_count_1d", "_window_end", "_fresh"), names(after));
    assertEquals(m.toString(), after.get("_window_end").asText());
    assertFalse(after.get("_fresh").asBoolean());
    JsonNode atM = lines(get("--features", "merchant_risk:txn_count_1d", "--key", "merchant_id=m001", "--as-of", "2026-01-09T23:02:00Z")).get(0);
    assertTrue(atM.get("_fresh").asBoolean());
    JsonNode before = lines(get("--features", "merchant_risk:txn_count_1d", "--key", "merchant_id=m001", "--as-of", "2026-01-09T23:01:59.999999999Z")).get(0);
    assertEquals("2026-01-09T22:00:00Z", before.get("_window_end").asText(), "one nanosecond before the availability delay ends");
  }

  @Test
  void compositeKeysAndCollidingNamesAreQualifiedByGroup(@TempDir Path dir) throws Exception {
    FeatureRow user = offlineRow("user_spend", E, "u");
    FeatureRow merchant = offlineRow("merchant_risk", E, "m0");
    JsonNode o = lines(get(
        "--features", "user_spend:txn_count_1d,merchant_risk:txn_count_1d", "--features", "merchant_risk:users_1d",
        "--key", "user_id=" + user.key().get(0), "--key", "merchant_id=" + merchant.key().get(0), "--as-of", T)).get(0);
    assertEquals(
        List.of("user_id", "merchant_id", "user_spend.txn_count_1d", "merchant_risk.txn_count_1d", "users_1d",
            "user_spend._window_end", "user_spend._fresh", "merchant_risk._window_end", "merchant_risk._fresh"),
        names(o));
    assertEquals(user.values()[1], o.get("user_spend.txn_count_1d").asLong());
    assertEquals(merchant.values()[0], o.get("merchant_risk.txn_count_1d").asLong());
    assertEquals(merchant.values()[2], o.get("users_1d").asLong());
    assertEquals(E.toString(), o.get("user_spend._window_end").asText());
    assertEquals(E.toString(), o.get("merchant_risk._window_end").asText());
    assertTrue(o.get("merchant_risk._fresh").asBoolean());

    // many keys from a file, answered in order; a blank line is skipped
    Path keys = dir.resolve("keys.jsonl");
    Files.writeString(keys, "{\"user_id\": \"" + user.key().get(0) + "\", \"merchant_id\": \"" + merchant.key().get(0) + "\"}\n\n"
        + "{\"merchant_id\": \"m001\", \"user_id\": \"u9999\"}\n");
    List<JsonNode> many = lines(get("--features", "user_spend:txn_count_1d,merchant_risk:txn_count_1d", "--keys", keys.toString(), "--as-of", T));
    assertEquals(2, many.size());
    assertEquals(o.get("user_spend.txn_count_1d"), many.get(0).get("user_spend.txn_count_1d"));
    assertEquals("u9999", many.get(1).get("user_id").asText());
    assertEquals(0, many.get(1).get("user_spend.txn_count_1d").asLong());
    assertEquals(offlineRow("merchant_risk", E, "m001").values()[0], many.get(1).get("merchant_risk.txn_count_1d").asLong());

    // two keys run together on one line, or a key column twice: the command fails naming the line,
    // never reads the first key alone or the last value
    Path joined = dir.resolve("joined.jsonl");
    Files.writeString(joined, "{\"user_id\": \"u1\", \"merchant_id\": \"m001\"}{\"user_id\": \"u2\", \"merchant_id\": \"m001\"}\n");
    assertError(get("--features", "user_spend:txn_count_1d,merchant_risk:txn_count_1d", "--keys", joined.toString(), "--as-of", T),
        joined + ":1: not JSON: more after the object");
    Path twice = dir.resolve("twice.jsonl");
    Files.writeString(twice, "\n{\"user_id\": \"u1\", \"merchant_id\": \"m001\", \"user_id\": \"u2\"}\n");
    assertError(get("--features", "user_spend:txn_count_1d,merchant_risk:txn_count_1d", "--keys", twice.toString(), "--as-of", T),
        twice + ":2: not JSON: Duplicate field 'user_id'");
  }

  @Test
  void requestFeaturesAreComputedFromTheRequestAndTheValuesRead() throws Exception {
    FeatureGroupDef spend = store.repository.group("user_spend");
    FeatureRow row = offlineRow("user_spend", E, "u");
    String user = (String) row.key().get(0);
    FeatureRow merchant = offlineRow("merchant_risk", E, "m001");
    double mean = (Double) row.values()[spend.features().indexOf(spend.feature("amount_eur_mean_7d"))];
    double max = (Double) row.values()[spend.features().indexOf(spend.feature("amount_eur_max_7d"))];
    long userCount = (Long) row.values()[spend.features().indexOf(spend.feature("txn_count_1d"))];
    long merchantCount = (Long) merchant.values()[0];
    long fraud = (Long) merchant.values()[store.repository.group("merchant_risk").features().indexOf(
        store.repository.group("merchant_risk").feature("fraud_count_7d"))];
    double amount = max + 1.0;
    JsonNode o = lines(get("--features", "payment_context:*,user_spend:txn_count_1d",
        "--key", "user_id=" + user, "--key", "merchant_id=m001", "--request", "amount_eur=" + amount, "--request", "channel=web",
        "--as-of", T)).get(0);
    assertEquals(
        List.of("user_id", "merchant_id", "amount_vs_user_mean_7d", "above_user_max_7d", "card_not_present", "risky",
            "payment_context.txn_count_1d", "user_spend.txn_count_1d",
            "user_spend._window_end", "user_spend._fresh", "merchant_risk._window_end", "merchant_risk._fresh"),
        names(o));
    assertEquals(amount / mean, o.get("amount_vs_user_mean_7d").asDouble());
    assertTrue(o.get("above_user_max_7d").asBoolean());
    assertTrue(o.get("card_not_present").asBoolean());
    assertEquals(fraud > 0, o.get("risky").asBoolean());
    assertEquals(userCount + merchantCount, o.get("payment_context.txn_count_1d").asLong());
    assertEquals(userCount, o.get("user_spend.txn_count_1d").asLong());

    // without the optional channel, at the point of sale by default: not card-not-present
    JsonNode pos = lines(get("--features", "payment_context:card_not_present,payment_context:risky",
        "--key", "user_id=" + user, "--key", "merchant_id=m001", "--request", "amount_eur=1", "--as-of", T)).get(0);
    assertFalse(pos.get("card_not_present").asBoolean());
    assertFalse(pos.get("risky").asBoolean());
  }

  @Test
  void mistakesAreNamed() {
    assertError(get("--features", "user_spnd:*", "--key", "user_id=u1"),
        "unknown feature group or request features 'user_spnd' in 'user_spnd:*'; did you mean 'user_spend'?");
    assertError(get("--features", "user_spend:txn_count_2d", "--key", "user_id=u1"),
        "feature group 'user_spend' has no feature 'txn_count_2d'; did you mean 'txn_count_1d'?");
    assertError(get("--features", "user_spend", "--key", "user_id=u1"), "feature selector 'user_spend' is not owner:feature");
    assertError(get("--features", "user_spend:*,merchant_risk:*", "--key", "user_id=u1"),
        "--key: the key has no value for key column 'merchant_id' (string, needed by entity merchant)");
    assertError(get("--features", "user_spend:*", "--key", "userid=u1"),
        "'userid' is not a key column of the entities read; did you mean 'user_id'?");
    assertError(get("--features", "user_spend:*", "--key", "user_id=u1", "--as-of", "2026-01-09 10:00"),
        "as_of '2026-01-09 10:00' is not a time");
    assertError(get("--features", "user_spend:*", "--key", "user_id=u1", "--as-of", "2026-01-05T00:00:00Z"),
        "older than the online store keeps");
    assertError(get("--features", "user_spend:*"), "give the key to read with --key");
    assertError(get("--features", "payment_context:*", "--key", "user_id=u1", "--key", "merchant_id=m001"),
        "request field 'amount_eur' (double) is required by request features payment_context");
    assertError(get("--features", "payment_context:*", "--key", "user_id=u1", "--key", "merchant_id=m001",
            "--request", "amount_eur=ten"), "request field 'amount_eur' is double, not 'ten'");
    assertError(get("--features", "user_spend:*", "--key", "user_id=u1", "--request", "amount_eur=1"),
        "unknown request field 'amount_eur': no selected request features take request fields");
    assertError(get("--features", "unguarded:*", "--key", "user_id=u9999", "--request", "amount_eur=5", "--as-of", T),
        "request feature unguarded.ratio_to_mean failed for key {user_id=u9999}");
    assertError(get("--features", "user_logins:*", "--key", "user_id=u1"), "no watermark for group 'user_logins'");
  }

  private static void assertError(CliRun run, String fragment) {
    assertEquals(1, run.exitCode(), run.out() + run.err());
    assertTrue(run.err().contains(fragment), () -> "expected '" + fragment + "' in: " + run.err());
    assertFalse(run.err().contains("\tat "), run.err());
    assertEquals("", run.out());
  }
}
