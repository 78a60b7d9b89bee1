package io.featurepipe.pipelines.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.featurepipe.transforms.compute.ComputeFeatures;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.Alert;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.record.SourceRecordCoder;
import io.featurepipe.validation.columns.DatasetKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;
import org.tensorflow.metadata.v0.FeatureNameStatistics;
import org.tensorflow.metadata.v0.RankHistogram;
import org.tensorflow.metadata.v0.StringStatistics;

/**
 * Training/serving skew in a stream's validation: the baseline's feature statistics (what training
 * sets are joined from) against each window's feature statistics, by the {@code max_skew}
 * comparator of the feature's {@code expect}. Training saw the channel {@code web} only; the
 * stream serves {@code app} 3 times in 4: L-infinity 0.75 against a threshold of 0.5 raises a
 * skew alert naming the feature, its measured value, the threshold and the window. A feature whose
 * distribution matches stays quiet.
 */
class StreamSkewTest {
  @RegisterExtension final transient TestPipelineExtension pipeline = TestPipelineExtension.create();

  static final String DEFS =
      """
      kind: source
      name: visits
      format: jsonl
      timestamp: ts
      timestamp_format: iso8601
      fields:
        - {name: ts, type: timestamp, required: true}
        - {name: user, type: string, required: true}
        - {name: channel, type: string, required: true}
      bounded: {path: "visits/{date}.jsonl"}
      ---
      kind: entity
      name: user
      keys: [{name: user, type: string}]
      ---
      kind: feature_group
      name: user_channel
      entity: user
      source: visits
      keys: {user: user}
      hop: 1h
      ttl: 1h
      features:
        - {name: last_channel, agg: last, column: channel, window: 1h}
        - {name: first_channel, agg: first, column: channel, window: 1h}
      expect:
        last_channel: {max_skew: 0.5}
        first_channel: {max_skew: 0.5}
      """;

  static SourceRecord visit(String time, String user, String channel) {
    Instant i = Instant.parse("2026-01-01T" + time + "Z");
    long nanos = i.getEpochSecond() * 1_000_000_000L + i.getNano();
    return new SourceRecord("visits", nanos, new Object[] {nanos, user, channel}, "");
  }

  /** Rank histograms by feature: what a training run's feature statistics would hold. */
  static DatasetFeatureStatistics training(Map<String, Map<String, Double>> histograms) {
    DatasetFeatureStatistics.Builder d = DatasetFeatureStatistics.newBuilder().setName("training").setNumExamples(4);
    histograms.forEach((feature, counts) -> {
      RankHistogram.Builder h = RankHistogram.newBuilder();
      counts.forEach((label, n) -> h.addBuckets(RankHistogram.Bucket.newBuilder().setLabel(label).setSampleCount(n)));
      d.addFeatures(
          FeatureNameStatistics.newBuilder()
              .setName(feature)
              .setType(FeatureNameStatistics.Type.STRING)
              .setStringStats(StringStatistics.newBuilder().setUnique(counts.size()).setRankHistogram(h)));
    });
    return d.build();
  }

  @Test
  void aServingDistributionFarFromTrainingRaisesASkewAlert(TestPipeline p) throws Exception {
    FeatureRepository repo = RepositoryLoader.load(Map.of("defs.yaml", DEFS));
    // four users in [00:00, 01:00): each starts on web; three end on the app
    List<SourceRecord> visits = new ArrayList<>();
    String[] users = {"a", "b", "c", "d"};
    for (int u = 0; u < users.length; u++) {
      visits.add(visit("00:1" + u + ":00", users[u], "web"));
      visits.add(visit("00:4" + u + ":00", users[u], u == 0 ? "web" : "app"));
    }
    List<TimestampedValue<SourceRecord>> timed = new ArrayList<>();
    visits.forEach(v -> timed.add(TimestampedValue.of(v, new org.joda.time.Instant(v.eventTimeMillis()))));
    PCollection<SourceRecord> records = p.apply(Create.timestamped(timed).withCoder(SourceRecordCoder.of()));
    PCollectionTuple sources = PCollectionTuple.of(ComputeFeatures.sourceTag("visits"), records);
    PCollection<FeatureRow> rows = sources.apply(ComputeFeatures.of(repo)).rows();

    DatasetFeatureStatistics base =
        training(Map.of("last_channel", Map.of("web", 4.0), "first_channel", Map.of("web", 4.0)));
    PCollection<Alert> alerts =
        sources
            .and(ValidateStream.ROWS, rows)
            .apply(
                new ValidateStream(
                    repo, List.of("user_channel"), 0L, Duration.ofHours(1),
                    Map.of(ValidateStream.datasetKey("user_channel", DatasetKind.GROUP_FEATURES), base), null));

    PAssert.that(alerts)
        .satisfies(
            all -> {
              List<Alert> skew =
                  StreamSupport.stream(all.spliterator(), false)
                      .filter(a -> a.message().contains("training and serving"))
                      .toList();
              assertEquals(1, skew.size(), "one skew alert, for last_channel only: " + all);
              Alert a = skew.get(0);
              assertEquals("user_channel", a.group());
              assertEquals("last_channel", a.feature());
              assertEquals(0.75, a.measured(), 1e-9);
              assertEquals(0.5, a.threshold(), 1e-9);
              assertEquals(Duration.ofHours(1).toMillis(), a.windowEndMillis() - a.windowStartMillis(),
                  "the statistics window is named: " + a);
              return null;
            });
    p.run().waitUntilFinish();
  }
}
