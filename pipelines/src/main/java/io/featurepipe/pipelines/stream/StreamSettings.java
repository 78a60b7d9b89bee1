package io.featurepipe.pipelines.stream;

import io.featurepipe.pipelines.ingest.kafka.ReadKafka;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The optional settings of a stream as its launchers take them (the {@code stream} command's
 * options, the stream Flex Template's parameters), each {@code null} (or empty) when not given:
 * {@link #applyTo(StreamFeatures.Spec)} and {@link #applyTo(StreamInputs)} set those given and
 * leave the defaults of the others.
 *
 * <pre>{@code
 * StreamSettings settings = new StreamSettings(groups, bootstrap ? dataRoot : null, alerts, webhook,
 *     validationOutput, runId, baseline, kafkaBootstrap, start, consumerGroupPrefix, topics, dataRoot);
 * StreamFeatures.Spec spec = settings.applyTo(
 *     StreamFeatures.Spec.of(repo, target, start, deadLetters).withInputs(settings.applyTo(StreamInputs.defaults())));
 * }</pre>
 *
 * @param groups only these feature groups
 * @param bootstrapRoot the data root whose files bootstrap the windows before the start
 * @param alerts where alerts go as JSON lines
 * @param webhook where each alert's JSON is POSTed
 * @param validationOutput where each statistics window's outputs go
 * @param runId the run's id
 * @param baseline a validation output whose statistics are the baseline of drift and skew
 * @param kafkaBootstrap the brokers of every Kafka source
 * @param start where Kafka reads start without a committed offset
 * @param consumerGroupPrefix the prefix of the Kafka consumer groups
 * @param topics the Kafka topic of each source named
 * @param dataRoot what the sources' file paths are relative to
 */
public record StreamSettings(
    List<String> groups,
    String bootstrapRoot,
    String alerts,
    String webhook,
    String validationOutput,
    String runId,
    String baseline,
    String kafkaBootstrap,
    ReadKafka.Start start,
    String consumerGroupPrefix,
    Map<String, String> topics,
    String dataRoot) {

  /** {@code spec} with the settings given (reading the baseline's statistics). */
  public StreamFeatures.Spec applyTo(StreamFeatures.Spec spec) throws IOException {
    if (groups != null && !groups.isEmpty()) {
      spec = spec.withGroups(groups);
    }
    if (bootstrapRoot != null) {
      spec = spec.withBootstrapRoot(bootstrapRoot);
    }
    if (alerts != null) {
      spec = spec.withAlertRoot(alerts);
    }
    if (webhook != null) {
      spec = spec.withWebhook(webhook);
    }
    if (validationOutput != null) {
      spec = spec.withValidationRoot(validationOutput);
    }
    if (runId != null) {
      spec = spec.withRunId(runId);
    }
    if (baseline != null) {
      spec = spec.withBaseline(StreamFeatures.readBaseline(baseline, spec.chosenGroups()));
    }
    return spec;
  }

  /** {@code inputs} with the Kafka settings and the data root given. */
  public StreamInputs applyTo(StreamInputs inputs) {
    if (kafkaBootstrap != null) {
      inputs = inputs.withKafkaBootstrap(kafkaBootstrap);
    }
    if (start != null) {
      inputs = inputs.withStart(start);
    }
    if (consumerGroupPrefix != null) {
      inputs = inputs.withGroupIdPrefix(consumerGroupPrefix);
    }
    for (Map.Entry<String, String> t : (topics == null ? Map.<String, String>of() : topics).entrySet()) {
      inputs = inputs.withTopic(t.getKey(), t.getValue());
    }
    if (dataRoot != null) {
      inputs = inputs.withDataRoot(dataRoot);
    }
    return inputs;
  }
}
