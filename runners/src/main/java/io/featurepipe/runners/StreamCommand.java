package io.featurepipe.runners;

import io.featurepipe.pipelines.ingest.kafka.ReadKafka;
import io.featurepipe.pipelines.stream.StreamFeatures;
import io.featurepipe.pipelines.stream.StreamInputs;
import io.featurepipe.pipelines.stream.StreamSettings;
import io.featurepipe.pipelines.stream.StreamStart;
import io.featurepipe.sinks.online.StoreMetadata;
import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/** {@code featurepipe stream}: the unbounded run, sources → features → the online store. */
@Command(
    name = "stream",
    mixinStandardHelpOptions = true,
    description = {
      "Compute the online feature groups from the sources' unbounded inputs (Kafka, Pub/Sub, a",
      "watched folder) into the online store, with record checks, windowed statistics and",
      "anomalies, volume and freshness alerts and dead letters. The stream counts the events with event",
      "time >= --since; with --bootstrap-from-files it also reads the sources' files of the",
      "longest window (plus a hop) before --since, and then writes every window end from --since",
      "on: materialize the days before. It runs until stopped, or, with --max-records or",
      "--stop-at, until its inputs end. Unknown options go to Beam (e.g. --runner=FlinkRunner",
      "--flinkMaster=[local] --checkpointingInterval=60000)."
    })
final class StreamCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "REPO", description = "Folder of YAML feature definitions.")
  Path repository;

  @Option(names = "--groups", split = ",", paramLabel = "GROUP", description = "Only these feature groups (default: every online group).")
  List<String> groups = new ArrayList<>();

  @Mixin BigtableOptions bigtable;

  @Option(
      names = "--since",
      paramLabel = "TIME",
      description = "Start S: the stream counts events with event time >= S (ISO-8601 instant, or a date for its midnight UTC; default: now).")
  String since;

  @Option(
      names = "--bootstrap-from-files",
      description = "Also read the sources' files of the lookback before --since (needs --since and --data-root).")
  boolean bootstrap;

  @Option(names = "--data-root", paramLabel = "DIR", description = "Folder (or URL) the sources' file paths are relative to.")
  String dataRoot;

  @Option(
      names = "--dead-letters",
      paramLabel = "DIR",
      defaultValue = "featurepipe-stream/dead-letters",
      description = "Where rejected records go, as JSON lines (default: ${DEFAULT-VALUE}).")
  String deadLetters;

  @Option(names = "--alerts", paramLabel = "DIR", description = "Where alerts go, as JSON lines (quality/, volume/ and freshness/); always logged and counted.")
  String alerts;

  @Option(names = "--webhook", paramLabel = "URL", description = "POST each alert's JSON to this http(s) URL.")
  String webhook;

  @Option(
      names = "--stats-window",
      paramLabel = "DURATION",
      defaultValue = "1h",
      converter = BigtableOptions.DurationConverter.class,
      description = "Event-time window of the streaming statistics (default: ${DEFAULT-VALUE}).")
  Duration statsWindow;

  @Option(names = "--baseline", paramLabel = "DIR", description = "A validation output (e.g. a backfill's) whose statistics are the baseline of drift and of training/serving skew.")
  String baseline;

  @Option(names = "--validation-output", paramLabel = "DIR", description = "Write each window's stats.pb, schema.pbtxt and anomalies.pbtxt here.")
  String validationOutput;

  @Option(
      names = "--freshness-interval",
      paramLabel = "DURATION",
      defaultValue = "1m",
      converter = BigtableOptions.DurationConverter.class,
      description = "How often the online watermarks are checked against the clock (default: ${DEFAULT-VALUE}).")
  Duration freshnessInterval;

  @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT[,...]", description = "Kafka brokers of every Kafka source (instead of the definitions').")
  String kafkaBootstrap;

  @Option(
      names = "--start",
      paramLabel = "earliest|latest",
      description = "Where Kafka reads start when the consumer group has no committed offset (default: latest).")
  String start;

  @Option(names = "--consumer-group-prefix", paramLabel = "PREFIX", description = "Kafka consumer groups <PREFIX>-<source> (default: the definitions', or featurepipe-<source>).")
  String consumerGroupPrefix;

  @Option(names = "--topic", paramLabel = "SOURCE=TOPIC", description = "Read this Kafka topic for a source (repeatable).")
  Map<String, String> topics = new LinkedHashMap<>();

  @Option(names = "--max-records", paramLabel = "SOURCE=N", description = "End a source's read after N messages (repeatable; a bounded replay).")
  Map<String, Long> maxRecords = new LinkedHashMap<>();

  @Option(names = "--stop-at", paramLabel = "TIME", description = "End every Kafka read at the first record appended at or after TIME (a bounded replay).")
  String stopAt;

  @Option(names = "--run-id", paramLabel = "ID", description = "Names this job's dead-letter files (default: UTC time and a random suffix).")
  String runId;

  @Unmatched List<String> beamArgs = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec command;

  @Override
  public Integer call() throws Exception {
    FeatureRepository repo;
    try {
      repo = RepositoryOption.load(repository);
    } catch (DefinitionException e) {
      System.err.println(e.getMessage());
      return 1;
    }
    if (bootstrap && (since == null || dataRoot == null)) {
      throw new CommandLine.ParameterException(
          command.commandLine(), "--bootstrap-from-files needs --since (where the files end) and --data-root");
    }
    Instant s = since == null ? Instant.now() : parseTime(since, "--since");
    StreamSettings settings = settings();
    StreamInputs inputs = inputs(settings);
    PipelineOptions options =
        BeamArgs.parse(beamArgs, "featurepipe-stream", inputs.maxRecords().isEmpty() && inputs.stopTime() == null);
    if (detachedOnFlink(options) && bigtable.embedded()) {
      throw new CommandLine.ParameterException(command.commandLine(), "--attachedMode=false ends the command once the"
          + " job is submitted, and with it the emulator of --bigtable-emulator=embedded: name a store that outlives it");
    }
    if (detachedOnFlink(options) && !onACluster(options.as(FlinkPipelineOptions.class).getFlinkMaster())) {
      throw new CommandLine.ParameterException(command.commandLine(), "--attachedMode=false ends the command once the"
          + " job is submitted, and with it a Flink mini-cluster in this process: name a cluster (--flinkMaster=HOST:PORT,"
          + " or submit with flink run)");
    }
    try (BigtableOptions.Store store = bigtable.open()) {
      StreamFeatures.Spec spec =
          settings.applyTo(
              StreamFeatures.Spec.of(repo, store.target(), bootstrap ? StreamStart.bootstrapped(s) : StreamStart.of(s), deadLetters)
                  .withInputs(inputs)
                  .withStatisticsWindow(statsWindow)
                  .withFreshnessInterval(freshnessInterval));
      store.prepare(repo);
      run(spec, options, store.describe(), System.out);
    }
    return 0;
  }

  private StreamSettings settings() {
    ReadKafka.Start kafkaStart = null;
    if (start != null) {
      try {
        kafkaStart = ReadKafka.Start.valueOf(start.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(command.commandLine(), "--start is earliest or latest, not '" + start + "'");
      }
    }
    return new StreamSettings(groups, bootstrap ? dataRoot : null, alerts, webhook, validationOutput, runId, baseline,
        kafkaBootstrap, kafkaStart, consumerGroupPrefix, topics, dataRoot);
  }

  /** The inputs of the settings, with the bounds of a replay ({@code --max-records}, {@code --stop-at}). */
  private StreamInputs inputs(StreamSettings settings) {
    StreamInputs in = settings.applyTo(StreamInputs.defaults());
    for (Map.Entry<String, Long> m : maxRecords.entrySet()) {
      in = in.withMaxRecords(m.getKey(), m.getValue());
    }
    if (stopAt != null) {
      in = in.withStopTime(parseTime(stopAt, "--stop-at"));
    }
    return in;
  }

  /** An ISO-8601 instant, or a date (its midnight UTC). */
  static Instant parseTime(String text, String option) {
    try {
      return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          option + " '" + text + "' is neither an ISO-8601 instant (2026-01-14T00:00:00Z) nor a date (2026-01-14)");
    }
  }

  /** Runs a stream: prints where it starts and writes, then progress, then (when it ends) a summary. */
  static PipelineResult run(StreamFeatures.Spec spec, PipelineOptions options, String store, PrintStream out)
      throws IOException {
    FeatureRepository repo = spec.repository();
    List<String> groups = spec.chosenGroups();
    StreamStart start = spec.start();
    out.printf("stream %s into %s from %s%s, runner %s%n", String.join(", ", groups), store, start.since(),
        start.bootstrapped() ? " (bootstrapped from files under " + spec.bootstrapRoot() + ")" : "",
        options.getRunner().getSimpleName());
    for (String g : groups) {
      FeatureGroupDef def = repo.group(g);
      out.printf("  %-24s reads every event since %s, writes window ends from %s%n", g,
          start.readSince(def), Instant.ofEpochMilli(start.firstOwnedWindowEnd(repo, def)));
    }
    out.println("  dead letters: " + spec.deadLetterRoot() + "/dead-letters-" + spec.runId() + "-*.jsonl");
    out.println("  alerts: " + (spec.alertRoot() == null ? "logged and counted" : spec.alertRoot() + "/{quality,volume,freshness}")
        + (spec.webhook() == null ? "" : ", POSTed to " + spec.webhook()));
    org.apache.beam.sdk.io.FileSystems.setDefaultPipelineOptions(options);
    Pipeline p = Pipeline.create(options);
    StreamFeatures.build(p, spec);
    if (detachedOnFlink(options)) {
      // as `flink run -d`: submitted, and the command ends; the job runs until cancelled or stopped
      PipelineResult submitted = p.run();
      FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
      out.printf("job %s submitted to %s, detached: it runs until cancelled (flink cancel) or stopped with a"
          + " savepoint (flink stop); dead letters, alerts and the watermark cells show its progress%n",
          flink.getJobName(), flink.getFlinkMaster());
      return submitted;
    }
    PipelineResult result = PipelineRun.run(p, out, c -> progress(c, repo));
    Map<String, Long> counters = PipelineRun.counters(result);
    RunSummary summary = new RunSummary(counters, repo);
    for (String source : repo.sources().keySet()) {
      if (counters.containsKey("records_read_" + source)) {
        out.printf("source %-24s %,10d records read, %,d before the start, %,d undecodable, %,d rejected, %,d too late%n",
            source, summary.get("records_read_" + source), summary.get("records_before_start_" + source),
            summary.get("dead_letters_decode_" + source), summary.get("records_rejected_" + source),
            summary.get("late_events_" + source));
      }
    }
    Map<String, StoreMetadata.GroupState> meta = MaterializeCommand.metadata(spec.target(), repo, groups);
    for (String g : groups) {
      out.printf("group  %-24s watermark %s%n", g + " " + repo.group(g).versionTag(),
          MaterializeCommand.describe(meta.get(g).watermarkMillis()));
    }
    out.printf("%,d cells written; dead letters in all: %,d under %s%n",
        summary.get("online_cells_written"), summary.get("dead_letters"), spec.deadLetterRoot());
    return result;
  }

  /** Whether the options submit to Flink without waiting for the job ({@code --attachedMode=false}). */
  static boolean detachedOnFlink(PipelineOptions options) {
    return options.getRunner() == FlinkRunner.class && !options.as(FlinkPipelineOptions.class).getAttachedMode();
  }

  /**
   * Whether a Flink master names a cluster outside this process: HOST:PORT, or Beam's default
   * {@code [auto]} under {@code flink run} (which hands the job to its cluster); {@code [local]},
   * {@code [collection]} and {@code [auto]} elsewhere run in this JVM.
   */
  static boolean onACluster(String master) {
    if (master == null || master.equals("[auto]")) {
      return !(StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment);
    }
    return !master.equals("[local]") && !master.equals("[collection]");
  }

  private static String progress(Map<String, Long> c, FeatureRepository repo) {
    long read = 0;
    long late = 0;
    for (String s : repo.sources().keySet()) {
      read += c.getOrDefault("records_read_" + s, 0L);
      late += c.getOrDefault("late_events_" + s, 0L);
    }
    return String.format("%,d records read, %,d feature rows, %,d cells written, %,d too late, %,d dead letters",
        read, c.getOrDefault("feature_rows", 0L), c.getOrDefault("online_cells_written", 0L), late,
        c.getOrDefault("dead_letters", 0L));
  }
}
