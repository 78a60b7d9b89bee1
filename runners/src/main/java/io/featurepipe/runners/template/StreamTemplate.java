package io.featurepipe.runners.template;

import io.featurepipe.pipelines.ingest.kafka.ReadKafka;
import io.featurepipe.pipelines.stream.StreamFeatures;
import io.featurepipe.pipelines.stream.StreamInputs;
import io.featurepipe.pipelines.stream.StreamSettings;
import io.featurepipe.pipelines.stream.StreamStart;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.PrepareOnlineStore;
import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.definitions.Durations;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.StreamingOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main class of the {@code featurepipe-stream} Flex Template: parses the template parameters
 * ({@link StreamTemplateOptions}), loads the feature repository from {@code featureRepository},
 * prepares the Bigtable table and families (as {@code featurepipe stream} does), builds the same
 * {@link StreamFeatures} graph as the command and submits it as a streaming job without waiting.
 *
 * <pre>{@code
 * StreamTemplateOptions o = StreamTemplate.options(args);
 * Pipeline p = Pipeline.create(o);
 * StreamTemplate.build(p, o);       // the graph, without touching the store
 * }</pre>
 */
public final class StreamTemplate {
  private static final Logger LOG = LoggerFactory.getLogger(StreamTemplate.class);

  private StreamTemplate() {}

  public static void main(String[] args) throws Exception {
    run(options(args));
  }

  /** The parameters, validated. */
  public static StreamTemplateOptions options(String[] args) {
    return TemplateLaunch.options(args, StreamTemplateOptions.class);
  }

  /** Prepares the online store, builds the stream and submits it; returns at once. */
  public static PipelineResult run(StreamTemplateOptions options) throws IOException, DefinitionException {
    Pipeline p = Pipeline.create(options);
    StreamFeatures.Spec spec = build(p, options);
    PrepareOnlineStore.of(spec.target(), spec.repository())
        .withRetention(duration("onlineRetention", options.getOnlineRetention()))
        .prepare();
    LOG.info("stream {} into {} from {}, run {}", spec.chosenGroups(), spec.target(), spec.start().since(), spec.runId());
    return p.run();
  }

  /** Loads the repository and adds the stream the options describe to {@code pipeline} (streaming). */
  public static StreamFeatures.Spec build(Pipeline pipeline, StreamTemplateOptions options)
      throws IOException, DefinitionException {
    pipeline.getOptions().as(StreamingOptions.class).setStreaming(true);
    StreamFeatures.Spec spec = spec(TemplateLaunch.repository(options), options);
    StreamFeatures.build(pipeline, spec);
    return spec;
  }

  /** The stream the options describe over {@code repository}. */
  public static StreamFeatures.Spec spec(FeatureRepository repository, StreamTemplateOptions o)
      throws IOException {
    FeatureRepository repo = PubsubSubscriptions.apply(repository, pairs("pubsubSubscriptions", o.getPubsubSubscriptions()));
    boolean bootstrap = Boolean.TRUE.equals(o.getBootstrapFromFiles());
    if (bootstrap && (o.getSince() == null || o.getDataRoot() == null)) {
      throw new IllegalArgumentException("bootstrapFromFiles needs since (where the files end) and dataRoot");
    }
    Instant since = o.getSince() == null ? Instant.now() : time("since", o.getSince());
    StreamSettings settings = settings(o, bootstrap);
    return settings.applyTo(
        StreamFeatures.Spec.of(
                repo,
                BigtableTarget.parse(o.getBigtable()),
                bootstrap ? StreamStart.bootstrapped(since) : StreamStart.of(since),
                o.getDeadLetters())
            .withInputs(settings.applyTo(StreamInputs.defaults()))
            .withStatisticsWindow(duration("statsWindow", o.getStatsWindow()))
            .withFreshnessInterval(duration("freshnessInterval", o.getFreshnessInterval())));
  }

  private static StreamSettings settings(StreamTemplateOptions o, boolean bootstrap) {
    ReadKafka.Start start = null;
    if (o.getStart() != null) {
      try {
        start = ReadKafka.Start.valueOf(o.getStart().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw TemplateLaunch.invalid("start", o.getStart(), "earliest or latest");
      }
    }
    return new StreamSettings(o.getGroups(), bootstrap ? o.getDataRoot() : null, o.getAlerts(), o.getWebhook(),
        o.getValidationOutput(), o.getRunId(), o.getBaseline(), o.getKafkaBootstrap(), start,
        o.getConsumerGroupPrefix(), pairs("topics", o.getTopics()), o.getDataRoot());
  }

  /** {@code SOURCE=VALUE} entries as a map. */
  static Map<String, String> pairs(String parameter, List<String> entries) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String e : entries == null ? List.<String>of() : entries) {
      int eq = e.indexOf('=');
      if (eq <= 0 || eq == e.length() - 1) {
        throw TemplateLaunch.invalid(parameter, e, "SOURCE=VALUE");
      }
      out.put(e.substring(0, eq), e.substring(eq + 1));
    }
    return out;
  }

  private static Duration duration(String parameter, String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw TemplateLaunch.invalid(parameter, text, "a duration such as 90s, 5m, 1h or 2d");
    }
  }

  /** An ISO-8601 instant, or a date (its midnight UTC). */
  private static Instant time(String parameter, String text) {
    try {
      return text.length() == 10
          ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
          : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw TemplateLaunch.invalid(parameter, text, "an ISO-8601 instant (2026-01-14T00:00:00Z) or a date (2026-01-14)");
    }
  }
}
