package io.featurepipe.runners.template;

import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * The parameters of the {@code featurepipe-stream} Flex Template (a streaming job): the options of
 * {@code featurepipe stream} under their template names, plus {@code pubsubSubscriptions}.
 * {@link StreamTemplate} turns them into a {@code StreamFeatures.Spec}. The bounded-replay options
 * of the command ({@code --max-records}, {@code --stop-at}) are left out: a template job streams.
 */
public interface StreamTemplateOptions extends RepositoryTemplateOptions {
  String DURATION = "^[0-9]+(ms|s|m|h|d|w)$";
  String TIME = "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+Z)?$";
  String SOURCE_VALUES = "^[A-Za-z0-9_]+=[^,=]+(,[A-Za-z0-9_]+=[^,=]+)*$";

  @Description("The online store: a Cloud Bigtable table, PROJECT/INSTANCE/TABLE.")
  @Validation.Required
  @TemplateParameter(
      order = 10,
      label = "Bigtable table",
      regexes = "^[a-z][-a-z0-9]*/[a-z][-a-z0-9_]*/[-_.a-zA-Z0-9]+$",
      example = "my-project/my-instance/features")
  String getBigtable();

  void setBigtable(String value);

  @Description("How far back as-of reads of the online store work (the families' GC rule is longest window + this).")
  @Default.String("2d")
  @TemplateParameter(order = 11, label = "Online retention", regexes = DURATION, example = "2d")
  String getOnlineRetention();

  void setOnlineRetention(String value);

  @Description(
      "Start S: the stream counts events with event time >= S (ISO-8601 instant, or a date for its"
          + " midnight UTC; default: the launch time).")
  @TemplateParameter(order = 12, label = "Since", regexes = TIME, example = "2026-01-14")
  String getSince();

  void setSince(String value);

  @Description("Also read the sources' files of the lookback before since (needs since and dataRoot).")
  @Default.Boolean(false)
  @TemplateParameter(order = 13, label = "Bootstrap from files", regexes = "^(true|false)$", example = "true")
  Boolean getBootstrapFromFiles();

  void setBootstrapFromFiles(Boolean value);

  @Description("Folder (or URL) the sources' file paths are relative to.")
  @TemplateParameter(order = 14, label = "Data root", regexes = LOCATION, example = "gs://my-bucket/lake/events")
  String getDataRoot();

  void setDataRoot(String value);

  @Description("Where rejected records go, as JSON lines.")
  @Validation.Required
  @TemplateParameter(
      order = 15,
      label = "Dead letters",
      regexes = LOCATION,
      example = "gs://my-bucket/featurepipe/dead-letters")
  String getDeadLetters();

  void setDeadLetters(String value);

  @Description("Where alerts go, as JSON lines (quality/, volume/ and freshness/); always logged and counted.")
  @TemplateParameter(order = 16, label = "Alerts", regexes = LOCATION, example = "gs://my-bucket/featurepipe/alerts")
  String getAlerts();

  void setAlerts(String value);

  @Description("POST each alert's JSON to this http(s) URL.")
  @TemplateParameter(order = 17, label = "Alert webhook", regexes = "^https?://.+$", example = "https://hooks.example.com/featurepipe")
  String getWebhook();

  void setWebhook(String value);

  @Description("Event-time window of the streaming statistics.")
  @Default.String("1h")
  @TemplateParameter(order = 18, label = "Statistics window", regexes = DURATION, example = "1h")
  String getStatsWindow();

  void setStatsWindow(String value);

  @Description("A validation output (e.g. a backfill's) whose statistics are the baseline of drift and of training/serving skew.")
  @TemplateParameter(order = 19, label = "Baseline", regexes = LOCATION, example = "gs://my-bucket/featurepipe/validation/2026-01-13")
  String getBaseline();

  void setBaseline(String value);

  @Description("Write each statistics window's stats.pb, schema.pbtxt and anomalies.pbtxt here.")
  @TemplateParameter(order = 20, label = "Validation output", regexes = LOCATION, example = "gs://my-bucket/featurepipe/validation/stream")
  String getValidationOutput();

  void setValidationOutput(String value);

  @Description("How often the online watermarks are checked against the clock.")
  @Default.String("1m")
  @TemplateParameter(order = 21, label = "Freshness interval", regexes = DURATION, example = "1m")
  String getFreshnessInterval();

  void setFreshnessInterval(String value);

  @Description("Kafka brokers of every Kafka source, HOST:PORT[,...] (instead of the definitions').")
  @TemplateParameter(
      order = 22,
      label = "Kafka bootstrap servers",
      regexes = "^[^,:]+:[0-9]+(,[^,:]+:[0-9]+)*$",
      example = "kafka-0.internal:9092,kafka-1.internal:9092")
  String getKafkaBootstrap();

  void setKafkaBootstrap(String value);

  @Description("Where Kafka reads start when the consumer group has no committed offset: earliest or latest (default: latest).")
  @TemplateParameter(order = 23, label = "Kafka start", regexes = "^(earliest|latest)$", example = "earliest")
  String getStart();

  void setStart(String value);

  @Description("Kafka consumer groups <prefix>-<source> (default: the definitions', or featurepipe-<source>).")
  @TemplateParameter(order = 24, label = "Kafka consumer group prefix", regexes = "^[A-Za-z0-9._-]+$", example = "featurepipe-prod")
  String getConsumerGroupPrefix();

  void setConsumerGroupPrefix(String value);

  @Description("Kafka topics to read instead of the definitions', SOURCE=TOPIC comma-separated.")
  @TemplateParameter(order = 25, label = "Kafka topics", regexes = SOURCE_VALUES, example = "payments=payments-v2,logins=logins-v2")
  List<String> getTopics();

  void setTopics(List<String> value);

  @Description(
      "Pub/Sub subscriptions to read instead of the definitions', SOURCE=projects/P/subscriptions/S"
          + " comma-separated (Pub/Sub sources only).")
  @TemplateParameter(
      order = 26,
      label = "Pub/Sub subscriptions",
      regexes = "^[A-Za-z0-9_]+=projects/[^/,]+/subscriptions/[^/,]+(,[A-Za-z0-9_]+=projects/[^/,]+/subscriptions/[^/,]+)*$",
      example = "payments=projects/my-project/subscriptions/payments-featurepipe")
  List<String> getPubsubSubscriptions();

  void setPubsubSubscriptions(List<String> value);
}
