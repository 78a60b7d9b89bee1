package io.featurepipe.runners;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.featurepipe.pipelines.audit.AuditReport;
import io.featurepipe.pipelines.audit.OnlineAudit;
import io.featurepipe.pipelines.ingest.kafka.EmbeddedKafka;
import io.featurepipe.pipelines.ingest.kafka.ProduceLines;
import io.featurepipe.pipelines.ingest.kafka.ReadKafka;
import io.featurepipe.pipelines.stream.StreamFeatures;
import io.featurepipe.pipelines.stream.StreamInputs;
import io.featurepipe.pipelines.stream.StreamStart;
import io.featurepipe.runners.serve.AsOf;
import io.featurepipe.runners.serve.FeatureLookup;
import io.featurepipe.runners.serve.FeatureSelection;
import io.featurepipe.sinks.offline.OfflineStore;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.EmbeddedBigtable;
import io.featurepipe.sinks.online.OnlineReader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;

/**
 * The online part of the quickstart, after its backfill: the sample's last day streamed through an
 * in-process Kafka broker into an in-process Bigtable emulator, a few keys read back, and the
 * online store audited against the offline store.
 *
 * <pre>{@code
 * QuickstartOnline.Summary s = QuickstartOnline.run(workdir, workdir.resolve("offline"), System.out);
 * if (!s.auditPassed()) { ... }
 * }</pre>
 *
 * <p>Steps: start the emulator and the broker; produce every line of the sample's {@link #DAY}
 * (both sources, in file order, undecodable lines included) to the sources' topics; run {@code
 * stream} of {@link #GROUPS} on the DirectRunner, bootstrapped from the sample's files of the days before and ending
 * once it has read every produced record (a bounded replay, as {@code stream --max-records} does);
 * {@code get} three users as of {@link #AS_OF}; {@code audit} the day against the offline
 * partitions under {@code offlineRoot} (the quickstart's backfill must have published {@link #DAY});
 * stop the broker and the emulator. The store is gone afterwards.
 */
public final class QuickstartOnline {
  /** The day streamed: the sample's last. */
  public static final LocalDate DAY = LocalDate.of(2026, 1, 14);

  /** The time the keys are read as of (its window end is 18:00, hop 1h, delay 2m). */
  public static final String AS_OF = "2026-01-14T18:30:00Z";

  /**
   * The groups streamed and audited: the user groups of the sample (the DirectRunner's unbounded
   * machinery costs time per key and hop; the merchant and user-merchant groups would double it).
   */
  public static final List<String> GROUPS = List.of("user_spend", "user_logins");

  /** The group read back with {@code get}. */
  static final String GET_GROUP = "user_logins";

  /** The sample lies months back: as-of reads reach 30 days behind the stream's watermark. */
  static final Duration RETENTION = Duration.ofDays(30);

  static final int AUDIT_SAMPLES = 50;

  private QuickstartOnline() {}

  /**
   * What the online part did.
   *
   * @param produced lines produced to Kafka, per source
   * @param cellsWritten cells the stream wrote
   * @param deadLetters records the stream rejected (the sample's undecodable lines of the files and topics read)
   * @param rows the JSON objects {@code get} printed
   * @param samplesCompared audit samples compared, over every group
   * @param mismatches audit values that differ (0 when the stores agree)
   * @param auditPassed whether every group was audited and nothing differed
   */
  public record Summary(
      Map<String, Long> produced, long cellsWritten, long deadLetters, List<String> rows,
      int samplesCompared, int mismatches, boolean auditPassed) {}

  /**
   * Runs the online part on the sample and definitions under {@code workdir} (copied there from the
   * bundled ones when missing), against the offline store at {@code offlineRoot}; prints each step
   * to {@code out}.
   */
  public static Summary run(Path workdir, Path offlineRoot, PrintStream out) throws Exception {
    Path defs = bundled("feature-defs/payments", workdir.resolve("feature-defs/payments"));
    Path data = bundled("sample", workdir.resolve("sample"));
    FeatureRepository repo = RepositoryOption.load(defs);
    out.println("online: the sample's last day (" + DAY + ") streamed from Kafka into Bigtable, read back, audited");
    try (EmbeddedBigtable bigtable = EmbeddedBigtable.start();
        EmbeddedKafka kafka = EmbeddedKafka.start()) {
      out.println("started a Bigtable emulator (" + bigtable.hostPort() + ") and a Kafka broker (" + kafka.bootstrapServers()
          + "), both in this process");
      Map<String, Long> produced = produce(repo, kafka, data);
      StringBuilder what = new StringBuilder();
      produced.forEach((source, n) -> what.append(what.length() == 0 ? "" : ", ").append(String.format("%,d %s", n, source)));
      out.println("produced the lines of " + DAY + " to Kafka: " + what + " (topics named after the sources)");

      BigtableTarget target = BigtableTarget.parse(BigtableOptions.LOCAL_TABLE).withEmulator(bigtable.hostPort());
      BigtableOptions.Store store = new BigtableOptions.Store(target, null, RETENTION);
      store.prepare(repo);
      StreamFeatures.Spec spec = streamSpec(repo, kafka, data, workdir.resolve("stream"), target, produced);
      PipelineResult result = StreamCommand.run(spec, BeamArgs.parse(List.of(), "featurepipe-quickstart-stream"),
          store.describe() + " (the emulator above)", out);
      Map<String, Long> counters = PipelineRun.counters(result);

      List<String> rows = get(repo, store, offlineRoot, out);

      OnlineAudit audit = OnlineAudit.of(repo, offlineRoot.toString(), DAY, DAY).withGroups(GROUPS).withSamples(AUDIT_SAMPLES);
      out.printf("audit: %d sampled keys and times per group in %s, online reads vs the offline point-in-time values%n",
          AUDIT_SAMPLES, DAY);
      AuditReport report = audit.run(target, RETENTION);
      out.print(indent(report.render()));
      int compared = report.groups().stream().mapToInt(AuditReport.GroupResult::compared).sum();
      out.println("stopped the broker and the emulator (the online store was in memory)");
      return new Summary(produced, counters.getOrDefault("online_cells_written", 0L),
          counters.getOrDefault("dead_letters", 0L), rows, compared, report.mismatchCount(), report.passed());
    }
  }

  private static Path bundled(String name, Path target) throws java.io.IOException {
    return Files.isDirectory(target) ? target : BundledResources.extract(name, target);
  }

  /** Produces the day's lines of every source with a Kafka topic to that topic; returns the lines per source. */
  static Map<String, Long> produce(FeatureRepository repo, EmbeddedKafka kafka, Path data) {
    Map<String, Long> produced = new LinkedHashMap<>();
    repo.sources().forEach((name, source) -> {
      if (source.unbounded() == null || !"kafka".equals(source.unbounded().kind())) {
        return;
      }
      String topic = source.unbounded().get("topic");
      kafka.createTopic(topic, 2);
      try (ProduceLines lines = ProduceLines.to(kafka.bootstrapServers(), topic)) {
        produced.put(name, lines.sourceFiles(source, data.toString(), DAY, DAY));
      }
    });
    return produced;
  }

  /** The bounded replay: bootstrapped from the files before {@link #DAY}, ending after the records produced. */
  static StreamFeatures.Spec streamSpec(
      FeatureRepository repo, EmbeddedKafka kafka, Path data, Path out, BigtableTarget target, Map<String, Long> produced) {
    StreamInputs inputs = StreamInputs.defaults()
        .withKafkaBootstrap(kafka.bootstrapServers())
        .withStart(ReadKafka.Start.EARLIEST)
        .withGroupIdPrefix("featurepipe-quickstart");
    for (Map.Entry<String, Long> e : produced.entrySet()) {
      inputs = inputs.withMaxRecords(e.getKey(), e.getValue());
    }
    Instant since = DAY.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
    return StreamFeatures.Spec.of(repo, target, StreamStart.bootstrapped(since), out.resolve("dead-letters").toString())
        .withGroups(GROUPS)
        .withBootstrapRoot(data.toString())
        .withInputs(inputs)
        .withAlertRoot(out.resolve("alerts").toString())
        .withStatisticsWindow(Duration.ofDays(1));
  }

  /** Reads three users of {@link #GET_GROUP} who logged in before {@link #AS_OF}, as {@code get} prints them. */
  static List<String> get(FeatureRepository repo, BigtableOptions.Store store, Path offlineRoot, PrintStream out)
      throws Exception {
    long t = AsOf.parse(AS_OF);
    List<String> users = new ArrayList<>();
    for (FeatureRow r : new OfflineStore(repo, offlineRoot.toString()).rows(GET_GROUP, DAY)) {
      String user = (String) r.key().get(0);
      if (r.windowEndMillis() == Instant.parse("2026-01-14T18:00:00Z").toEpochMilli() && users.size() < 3 && !users.contains(user)) {
        users.add(user);
      }
    }
    List<Map<String, Object>> keys = new ArrayList<>();
    users.forEach(u -> keys.add(Map.of("user_id", u)));
    out.println("get " + GET_GROUP + ":* of " + String.join(", ", users) + " as of " + AS_OF + " (as featurepipe get prints them):");
    List<String> rows = new ArrayList<>();
    try (OnlineReader reader = store.reader(repo)) {
      FeatureSelection selection = FeatureSelection.parse(repo, List.of(GET_GROUP + ":*"));
      for (ObjectNode row : new FeatureLookup(repo, reader).read(selection, keys, t, Map.of())) {
        rows.add(row.toString());
        out.println("  " + row);
      }
    }
    return rows;
  }

  private static String indent(String text) {
    return text.replaceAll("(?m)^(?=.)", "  ");
  }
}
