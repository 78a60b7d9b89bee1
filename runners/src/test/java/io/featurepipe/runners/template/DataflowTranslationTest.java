package io.featurepipe.runners.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The template mains' pipelines translate to Dataflow jobs without credentials or network
 * ({@link DataflowJob}): the backfill as a batch job, the stream with a Pub/Sub source and the
 * Bigtable sink as a streaming job, each with the stable step names Dataflow updates are keyed by
 * ({@link DataflowKafkaStreamIT} does the stream with Kafka sources, which the translation lists the
 * partitions of). The repository is read from a local folder through Beam FileSystems, as gs:// is
 * on Dataflow.
 */
class DataflowTranslationTest {
  private static final Path CATALOG = Path.of("..", "feature-defs", "payments");

  @Test
  void backfillTranslatesToABatchJobWithItsStepNames(@TempDir Path dir) throws Exception {
    BackfillTemplateOptions options =
        BackfillTemplate.options(
            new String[] {
              "--featureRepository=" + CATALOG,
              "--from=2026-01-10",
              "--to=2026-01-11",
              "--groups=user_spend,user_logins",
              // local: building the backfill looks for the previous run's validation output (the
              // drift baseline) under the offline root, which on gs:// would need credentials
              "--offlineRoot=" + dir.resolve("offline"),
              "--dataRoot=gs://featurepipe-test/events",
              "--runId=test-run"
            });
    Pipeline p = Pipeline.create(DataflowJob.offline(options, dir, "featurepipe-backfill-test"));
    BackfillTemplate.build(p, options);
    JsonNode job = DataflowJob.translate(p);

    assertEquals("JOB_TYPE_BATCH", job.path("type").asText());
    List<String> steps = DataflowJob.stepNames(job);
    for (String prefix :
        List.of(
            "ReadBatch/ReadSource/payments/", "ReadBatch/ReadSource/logins/", "ReadBatch/SelectEventRange/payments",
            "ReadBatch/CheckRecords/payments", "ComputeFeatures/PrepareGroups/", "ComputeFeatures/AssembleWindows/",
            "ValidateBatch/DetectAnomalies/user_spend", "ValidateBatch/DecideGate/Once/ByKey/", "WriteOffline/PartitionsOfRange/ByKey/",
            "WriteOffline/WritePartitions/", "WriteOffline/Publish", "WriteDeadLetters/")) {
      assertTrue(steps.stream().anyMatch(s -> s.startsWith(prefix)), prefix + " in " + steps);
    }
    assertFalse(steps.stream().anyMatch(s -> s.contains("merchant_risk")), "only the chosen groups: " + steps);
    // publishing and the gate group by key: no side input a runner could leave pushed back
    assertFalse(steps.stream().anyMatch(s -> s.startsWith("GateView")), "no gate view: " + steps);
  }

  @Test
  void pubsubStreamReadsTheSubscriptionItIsGiven(@TempDir Path dir) throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    for (Path f : Files.newDirectoryStream(CATALOG, "*.yaml")) {
      String text = Files.readString(f);
      if (f.getFileName().toString().equals("sources.yaml")) {
        text = text.replace(
            "unbounded: {kafka: {bootstrap: \"localhost:9092\", topic: payments}}",
            "unbounded: {pubsub: {subscription: projects/defs/subscriptions/payments, timestamp_attribute: ts}}");
      }
      Files.writeString(repo.resolve(f.getFileName()), text);
    }
    StreamTemplateOptions options =
        StreamTemplate.options(
            new String[] {
              "--featureRepository=" + repo,
              "--groups=user_spend",
              "--bigtable=featurepipe-test/instance/features",
              "--deadLetters=gs://featurepipe-test/dead-letters",
              "--pubsubSubscriptions=payments=projects/featurepipe-test/subscriptions/payments-featurepipe"
            });
    Pipeline p = Pipeline.create(DataflowJob.offline(options, dir.resolve("job"), "featurepipe-stream-pubsub-test"));
    StreamTemplate.build(p, options);
    JsonNode job = DataflowJob.translate(p);

    assertEquals("JOB_TYPE_STREAMING", job.path("type").asText());
    List<String> steps = DataflowJob.stepNames(job);
    assertTrue(steps.stream().anyMatch(s -> s.startsWith("ReadStream/payments/ReadPubsub")), steps.toString());
    assertTrue(steps.stream().anyMatch(s -> s.startsWith("WriteOnline/user_spend/")), steps.toString());
    String json = job.toString();
    assertTrue(json.contains("projects/featurepipe-test/subscriptions/payments-featurepipe"), "the override is read");
    assertFalse(json.contains("projects/defs/subscriptions/payments"), "the definition's subscription is not");
  }
}
