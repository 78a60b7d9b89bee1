package io.featurepipe.runners.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.featurepipe.pipelines.ingest.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream template's pipeline with Kafka sources and the Bigtable sink translates to a Dataflow
 * streaming job ({@link DataflowJob}: no credentials, no Google network). The translation splits
 * each Kafka source by its partitions, so it reads the topics' metadata from the brokers: an
 * in-process broker here; on Dataflow, the launcher must reach the brokers.
 */
class DataflowKafkaStreamIT {
  private static final Path CATALOG = Path.of("..", "feature-defs", "payments");
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafka.start();
    kafka.createTopic("payments-v2", 3);
    kafka.createTopic("logins-v2", 2);
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  @Test
  void kafkaStreamTranslatesToAStreamingJobWritingBigtable(@TempDir Path dir) throws Exception {
    StreamTemplateOptions options =
        StreamTemplate.options(
            new String[] {
              "--featureRepository=" + CATALOG,
              // Groups of one hop: StreamFeatures cannot yet flatten the watermarks of groups with
              // different hops (user_merchant_affinity has 1d) in an unbounded stream.
              "--groups=user_spend,merchant_risk,user_logins",
              "--bigtable=featurepipe-test/instance/features",
              "--deadLetters=gs://featurepipe-test/dead-letters",
              "--alerts=gs://featurepipe-test/alerts",
              "--since=2026-01-14",
              "--kafkaBootstrap=" + kafka.bootstrapServers(),
              "--topics=payments=payments-v2,logins=logins-v2",
              "--start=earliest",
              "--runId=test-run"
            });
    Pipeline p = Pipeline.create(DataflowJob.offline(options, dir, "featurepipe-stream-test"));
    StreamTemplate.build(p, options);
    JsonNode job = DataflowJob.translate(p);

    assertEquals("JOB_TYPE_STREAMING", job.path("type").asText());
    List<String> steps = DataflowJob.stepNames(job);
    for (String prefix :
        List.of(
            "ReadStream/payments/ReadKafka", "ReadStream/logins/ReadKafka", "SinceStart/payments",
            "CheckRecords/payments", "ComputeFeatures/", "WriteOnline/user_spend/",
            "WriteOnline/merchant_risk/", "ReadOnlineWatermarks", "CheckFreshness",
            "WriteQualityAlerts", "WriteDeadLetters")) {
      assertTrue(steps.stream().anyMatch(s -> s.startsWith(prefix)), prefix + " in " + steps);
    }
    String json = job.toString();
    assertTrue(json.contains("payments-v2") && json.contains(kafka.bootstrapServers()), "the overrides reach the read");
  }
}
