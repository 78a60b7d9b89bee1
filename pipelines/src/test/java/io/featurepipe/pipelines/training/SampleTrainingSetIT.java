package io.featurepipe.pipelines.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.featurepipe.pipelines.ingest.ReadSourceFiles;
import io.featurepipe.pipelines.ingest.SourcePaths;
import io.featurepipe.sinks.offline.WriteOffline;
import io.featurepipe.transforms.compute.ComputeFeatures;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.FeatureRow;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed sample end to end: payments → ComputeFeatures → offline store (2026-01-01 to
 * 01-14) → training set from {@code test-data/sample/spine.csv} with features of all three
 * entities (user, merchant, user × merchant). A handful of rows are checked against values worked
 * out from the raw payment files by hand (a short script over the JSON lines: filter, window,
 * aggregate), among them a fraud payment whose user paid the same merchant 18 minutes earlier:
 * the daily affinity group does not see that visit yet, the hourly merchant group sees its fraud.
 *
 * <p>Runs on an embedded Flink mini-cluster: the DirectRunner pays a fixed cost per key of every
 * shuffle (a bundle each), which makes 17,000 payments and 2,000 spine rows take minutes there.
 */
class SampleTrainingSetIT {
  static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  static final String FEATURES =
      "user_spend:txn_count_1d,user_spend:spend_eur_1d,user_spend:last_merchant,user_spend:last_countries,"
          + "merchant_risk:txn_count_1d,merchant_risk:fraud_count_7d,"
          + "user_merchant_affinity:visits_7d,user_merchant_affinity:last_channel";

  @Test
  void sampleSpineGetsTheValuesWorkedOutByHand(@TempDir Path dir) throws Exception {
    FeatureRepository repo = RepositoryLoader.load(ROOT.resolve("feature-defs/payments"));
    String offline = dir.resolve("offline").toString();
    List<String> groups = List.of("user_spend", "merchant_risk", "user_merchant_affinity");
    LocalDate from = LocalDate.parse("2026-01-01");
    LocalDate to = LocalDate.parse("2026-01-14");

    Pipeline backfill = OfflineFixture.flink();
    SourceDef payments = repo.source("payments");
    PCollection<?> records =
        backfill
            .apply("ReadPayments", new ReadSourceFiles(payments, SourcePaths.patterns(payments, ROOT.resolve("test-data/sample").toString(), from, to)))
            .get(ReadSourceFiles.RECORDS);
    @SuppressWarnings("unchecked")
    PCollection<FeatureRow> rows =
        PCollectionTuple.of(ComputeFeatures.sourceTag("payments"), (PCollection<io.featurepipe.transforms.record.SourceRecord>) records)
            .apply("ComputeFeatures", ComputeFeatures.of(repo).withGroups(groups))
            .rows();
    rows.apply("WriteOffline", WriteOffline.of(repo, offline, "sample", groups, from, to));
    OfflineFixture.run(backfill);

    Pipeline p = OfflineFixture.flink();
    TrainingSet.Built built =
        TrainingSet.build(
            p,
            TrainingSet.Spec.of(
                repo, SpineSource.of(ROOT.resolve("test-data/sample/spine.csv").toString(), "event_time"), FEATURES,
                offline, dir.resolve("training").toString()));
    TrainingSetSummary summary = built.summarize(OfflineFixture.run(p));
    assertEquals(2000, summary.spineRows());
    assertEquals(0, summary.deadLetters());
    assertEquals(2000, summary.rowsWritten());

    List<String> columns = new ArrayList<>();
    built.schema().schema().getFields().forEach(f -> columns.add(f.name()));
    assertEquals(
        List.of("user_id", "merchant_id", "event_time", "is_fraud", "user_spend__txn_count_1d", "spend_eur_1d",
            "last_merchant", "last_countries", "merchant_risk__txn_count_1d", "fraud_count_7d", "visits_7d", "last_channel"),
        columns);

    Map<String, GenericRecord> byTime = new HashMap<>();
    for (GenericRecord r : OfflineFixture.readTrainingSet(dir.resolve("training").toString())) {
      byTime.put(r.get("user_id") + "@" + r.get("event_time"), r);
    }
    assertEquals(1998, byTime.size(), "two split tenders share user and time");
    // line 2: four minutes into the sample, nothing is visible yet: the empty values of every group
    expect(byTime.get("u0101@2026-01-01T00:04:21.610717Z"), "false", 0, 0.0, null, List.of(), 0, 0, 0, null);
    // line 219: a fraud payment at m040; the user paid m040 (fraud too) at 13:47:58 the same day
    expect(byTime.get("u0081@2026-01-02T14:06:07.507819Z"), "true", 11, 1082.0225, "m040",
        List.of("AE", "AE", "FR", "FR", "FR"), 1, 1, 0, null);
    // line 502
    expect(byTime.get("u0187@2026-01-04T14:23:47.443435Z"), "false", 4, 118.03, "m026",
        List.of("DE", "DE", "DE", "DE", "DE"), 44, 0, 3, "pos");
    // line 1002: the hot marketplace m001
    expect(byTime.get("u0013@2026-01-07T23:35:11.755725Z"), "false", 7, 378.49, "m001",
        List.of("ES", "AE", "ES", "ES", "ES"), 257, 1, 14, "app");
    // line 2001, the last
    expect(byTime.get("u0054@2026-01-14T23:45:29.860467Z"), "false", 9, 533.7798, "m013",
        List.of("US", "US", "US", "US", "US"), 19, 0, 7, "pos");
  }

  static void expect(
      GenericRecord r, String label, long txn1d, double spend1d, String lastMerchant, List<String> lastCountries,
      long merchantTxn1d, long fraud7d, long visits7d, String lastChannel) {
    String row = r.get("user_id") + "@" + r.get("event_time");
    assertEquals(label, r.get("is_fraud").toString(), row);
    assertEquals(txn1d, r.get("user_spend__txn_count_1d"), row + " txn_count_1d");
    assertEquals(spend1d, r.get("spend_eur_1d"), row + " spend_eur_1d");
    assertEquals(lastMerchant, r.get("last_merchant") == null ? null : r.get("last_merchant").toString(), row);
    assertEquals(lastCountries, ReferenceTrainingSetTest.normalize(r.get("last_countries")), row + " last_countries");
    assertEquals(merchantTxn1d, r.get("merchant_risk__txn_count_1d"), row + " merchant txn_count_1d");
    assertEquals(fraud7d, r.get("fraud_count_7d"), row + " fraud_count_7d");
    assertEquals(visits7d, r.get("visits_7d"), row + " visits_7d");
    assertEquals(lastChannel, r.get("last_channel") == null ? null : r.get("last_channel").toString(), row);
  }
}
