package io.featurepipe.pipelines.stream;

import io.featurepipe.pipelines.ingest.ReadSource;
import io.featurepipe.pipelines.ingest.ReadStream;
import io.featurepipe.sinks.alerts.WriteAlerts;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.OnlineWriteResult;
import io.featurepipe.sinks.online.WriteOnline;
import io.featurepipe.transforms.compute.ComputeFeatures;
import io.featurepipe.transforms.compute.FeatureOutputs;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.Alert;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.validation.check.CheckRecords;
import io.featurepipe.validation.check.CheckedRecords;
import io.featurepipe.validation.monitor.CheckFreshness;
import io.featurepipe.validation.monitor.CheckVolume;
import io.featurepipe.validation.monitor.FreshnessPolicy;
import io.featurepipe.validation.check.TimeBounds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;

/**
 * The streaming pipeline (DESIGN §3, §5 {@code stream}): for the chosen groups' sources, the
 * unbounded inputs ({@link ReadStream}: Kafka, Pub/Sub, a watched folder) → {@link CheckRecords} →
 * {@link ComputeFeatures} (too-late events classified per event) → {@link WriteOnline#stream} into
 * the Bigtable online store, with validation in the graph:
 *
 * <ul>
 *   <li>every dead letter (undecodable, rejected by the record checks, an expression failure, too
 *       late, refused by the store, an alert the webhook did not take) → JSON lines under {@link
 *       Spec#deadLetterRoot()}, written by processing time ({@code WriteStreamDeadLetters});
 *   <li>statistics per fixed window of event time ({@link Spec#statisticsWindow()}) of each
 *       group's input records and feature rows since the start → anomalies against the
 *       definitions' schema and an optional baseline → alerts ({@code ValidateStream});
 *   <li>per statistics window, each source's records read since the start counted and compared
 *       with its counts of the {@link #VOLUME_PAST_WINDOWS} windows before ({@link
 *       CheckVolume#againstPastWindows}) → {@code volume} alerts;
 *   <li>every {@link Spec#freshnessInterval()} of processing time, the groups' watermark cells →
 *       {@link CheckFreshness} → alerts (unbounded runs only);
 *   <li>alerts → {@link WriteAlerts}: metrics and logs always, JSON lines under {@code
 *       <alertRoot>/quality}, {@code <alertRoot>/volume} and {@code <alertRoot>/freshness}, a
 *       webhook.
 * </ul>
 *
 * <p><b>Start and bootstrap.</b> The stream counts the events of its unbounded inputs with {@code
 * ts >= S} ({@link StreamStart}). Bootstrapped ({@link StreamStart#bootstrapped}), it also reads
 * each source's bounded files of {@code [S - lookback, S)} (lookback = longest window + hop of the
 * groups reading it), flattened with the stream: the flattened watermark waits for the files, and
 * every event is counted once (files {@code ts < S}, stream {@code ts >= S}). Each group is written
 * by its own {@code WriteOnline/<group>} with the time since which the stream has read every event
 * it uses, so it owns the window ends from the first multiple of its hop at or after {@code S}
 * ({@link StreamStart#firstOwnedWindowEnd}); a batch writer ({@code materialize}) owns those before.
 *
 * <p>Step names are stable (they key Flink savepoints and Dataflow updates): {@code
 * ReadStream/<source>}, {@code SinceStart/<source>}, {@code ReadBootstrap/<source>}, {@code
 * BootstrapRange/<source>}, {@code WithBootstrap/<source>}, {@code CheckRecords/<source>}, {@code
 * ComputeFeatures}, {@code RowsOf/<group>}, {@code WriteOnline/<group>}, {@code
 * Validate/<group>/...}, {@code VolumeItems/<source>}, {@code FlattenVolumeItems}, {@code CheckVolume}, {@code
 * ReadOnlineWatermarks}, {@code CheckFreshness}, {@code WriteQualityAlerts}, {@code
 * WriteVolumeAlerts}, {@code WriteFreshnessAlerts}, {@code WriteDeadLetters}.
 *
 * <pre>{@code
 * PrepareOnlineStore.of(target, repository).prepare();
 * StreamFeatures.Spec spec =
 *     StreamFeatures.Spec.of(repository, target, StreamStart.bootstrapped(since), "out/dead-letters")
 *         .withBootstrapRoot("data/")
 *         .withInputs(StreamInputs.defaults().withKafkaBootstrap("broker:9092"))
 *         .withAlertRoot("out/alerts");
 * StreamFeatures.Outputs out = StreamFeatures.build(pipeline, spec);
 * pipeline.run();
 * }</pre>
 */
public final class StreamFeatures {

  /**
   * What to stream: immutable, built with {@link #of} and the {@code withX} methods (each optional,
   * in any order; each checks its argument, {@link StreamFeatures#build} checks the combination).
   */
  public static final class Spec {
    private final Values v;

    /** The fields of a spec, copied for every {@code withX}. */
    private static final class Values implements Cloneable {
      FeatureRepository repository;
      List<String> groups = List.of();
      BigtableTarget target;
      StreamStart start;
      String bootstrapRoot;
      StreamInputs inputs = StreamInputs.defaults();
      String deadLetterRoot;
      String runId = newRunId();
      Duration deadLetterFlush = Duration.ofMinutes(1);
      String alertRoot;
      String webhook;
      Duration statisticsWindow = Duration.ofHours(1);
      Map<String, DatasetFeatureStatistics> baseline = Map.of();
      String validationRoot;
      Duration freshnessInterval = Duration.ofMinutes(1);
      TimeBounds timeBounds = TimeBounds.defaults();
      int latenessShards = ComputeFeatures.DEFAULT_LATENESS_SHARDS;

      @Override
      protected Values clone() {
        try {
          return (Values) super.clone();
        } catch (CloneNotSupportedException e) {
          throw new AssertionError(e);
        }
      }
    }

    private Spec(Values v) {
      this.v = v;
    }

    private Spec with(java.util.function.Consumer<Values> change) {
      Values copy = v.clone();
      change.accept(copy);
      return new Spec(copy);
    }

    /**
     * A stream of every online group from {@code start}, reading the definitions' inputs, with
     * one-hour statistics windows, freshness checked every minute, dead letters under {@code
     * deadLetterRoot} (written at most a minute after they occur), alerts logged and counted.
     */
    public static Spec of(FeatureRepository repository, BigtableTarget target, StreamStart start, String deadLetterRoot) {
      if (repository == null || target == null || start == null) {
        throw new IllegalArgumentException("a stream needs a repository, a Bigtable target and a start");
      }
      requireText(deadLetterRoot, "a stream needs a dead-letter location");
      Values v = new Values();
      v.repository = repository;
      v.target = target;
      v.start = start;
      v.deadLetterRoot = deadLetterRoot;
      return new Spec(v);
    }

    /** Only these groups (each must be online); default: every online group. */
    public Spec withGroups(List<String> names) {
      for (String g : names) {
        if (!v.repository.group(g).online()) {
          throw new IllegalArgumentException(
              "feature group '" + g + "' is not online (online: false): a stream has nothing to write for it");
        }
      }
      return with(c -> c.groups = List.copyOf(names));
    }

    /** The data root of the sources' bounded files, read for a bootstrapped start. */
    public Spec withBootstrapRoot(String dataRoot) {
      requireText(dataRoot, "the bootstrap data root must not be empty");
      return with(c -> c.bootstrapRoot = dataRoot);
    }

    public Spec withInputs(StreamInputs inputs) {
      if (inputs == null) {
        throw new IllegalArgumentException("the stream inputs must not be null");
      }
      return with(c -> c.inputs = inputs);
    }

    /** Names this job's dead-letter files (default: the UTC time and a random suffix). */
    public Spec withRunId(String id) {
      if (id == null || !id.matches("[A-Za-z0-9._-]+")) {
        throw new IllegalArgumentException("a run id is letters, digits, '.', '_' and '-', not '" + id + "'");
      }
      return with(c -> c.runId = id);
    }

    /** How long a dead letter may wait before its file is written (default 1 minute). */
    public Spec withDeadLetterFlush(Duration flush) {
      requirePositive(flush, "dead-letter flush interval");
      return with(c -> c.deadLetterFlush = flush);
    }

    /** Alert files go under {@code <root>/quality} and {@code <root>/freshness}. */
    public Spec withAlertRoot(String root) {
      requireText(root, "the alert location must not be empty");
      return with(c -> c.alertRoot = root);
    }

    /** Each alert is also POSTed to this http(s) URL. */
    public Spec withWebhook(String url) {
      if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
        throw new IllegalArgumentException("the webhook must be an http(s) URL, not '" + url + "'");
      }
      return with(c -> c.webhook = url);
    }

    /** The event-time window of the streaming statistics (default 1 hour). */
    public Spec withStatisticsWindow(Duration window) {
      requirePositive(window, "statistics window");
      return with(c -> c.statisticsWindow = window);
    }

    /**
     * Baseline statistics to measure drift against, by {@code <group>/input} and {@code
     * <group>/features} ({@link #readBaseline} reads them from a validation output).
     */
    public Spec withBaseline(Map<String, DatasetFeatureStatistics> statistics) {
      return with(c -> c.baseline = Map.copyOf(statistics));
    }

    /** Each window's statistics, schema and anomalies files go under this root. */
    public Spec withValidationRoot(String root) {
      requireText(root, "the validation output root must not be empty");
      return with(c -> c.validationRoot = root);
    }

    /** How often the watermark cells are checked (default 1 minute); null turns the check off. */
    public Spec withFreshnessInterval(Duration interval) {
      if (interval != null) {
        requirePositive(interval, "freshness interval");
      }
      return with(c -> c.freshnessInterval = interval);
    }

    /** The event-time bounds of the record checks (default: at most a day in the future). */
    public Spec withTimeBounds(TimeBounds bounds) {
      if (bounds == null) {
        throw new IllegalArgumentException("time bounds must not be null (use TimeBounds.none())");
      }
      return with(c -> c.timeBounds = bounds);
    }

    /** How many shards classify lateness (the parallelism of that step; default 16). */
    public Spec withLatenessShards(int shards) {
      if (shards < 1) {
        throw new IllegalArgumentException("lateness shards must be at least 1, not " + shards);
      }
      return with(c -> c.latenessShards = shards);
    }

    public FeatureRepository repository() {
      return v.repository;
    }

    public BigtableTarget target() {
      return v.target;
    }

    public StreamStart start() {
      return v.start;
    }

    public String bootstrapRoot() {
      return v.bootstrapRoot;
    }

    public StreamInputs inputs() {
      return v.inputs;
    }

    public String deadLetterRoot() {
      return v.deadLetterRoot;
    }

    public String runId() {
      return v.runId;
    }

    public Duration deadLetterFlush() {
      return v.deadLetterFlush;
    }

    public String alertRoot() {
      return v.alertRoot;
    }

    public String webhook() {
      return v.webhook;
    }

    public Duration statisticsWindow() {
      return v.statisticsWindow;
    }

    public Map<String, DatasetFeatureStatistics> baseline() {
      return v.baseline;
    }

    public String validationRoot() {
      return v.validationRoot;
    }

    public Duration freshnessInterval() {
      return v.freshnessInterval;
    }

    public TimeBounds timeBounds() {
      return v.timeBounds;
    }

    public int latenessShards() {
      return v.latenessShards;
    }

    /** The chosen groups in definition order (every online group when none was chosen). */
    public List<String> chosenGroups() {
      List<String> out = new ArrayList<>();
      for (FeatureGroupDef g : v.repository.allGroups()) {
        if (v.groups.isEmpty() ? g.online() : v.groups.contains(g.name())) {
          out.add(g.name());
        }
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("no feature group of the repository is online");
      }
      return out;
    }

    /** Checks the combination of settings. */
    void check() {
      if (v.start.bootstrapped() && v.bootstrapRoot == null) {
        throw new IllegalArgumentException(
            "a stream bootstrapped from files needs the data root of the sources' files");
      }
      chosenGroups();
    }

    private static void requireText(String s, String message) {
      if (s == null || s.isEmpty()) {
        throw new IllegalArgumentException(message);
      }
    }

    private static void requirePositive(Duration d, String what) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("the " + what + " must be positive, not " + d);
      }
    }
  }

  /**
   * The baseline statistics of groups found under a validation output root ({@code
   * <root>/<group>/input/stats.pb} and {@code .../features/stats.pb}, as a backfill or {@code
   * validate} writes them), for {@link Spec#withBaseline}; datasets without a file are left out.
   */
  public static Map<String, DatasetFeatureStatistics> readBaseline(String root, List<String> groups)
      throws java.io.IOException {
    return ValidateStream.readBaseline(root, groups);
  }

  /**
   * What the graph produces: the feature rows (of every window end, owned or not), the rows each
   * group's writer owned with the features it wrote, the watermark advances, every dead letter,
   * and the alerts.
   */
  public record Outputs(
      PCollection<FeatureRow> rows,
      PCollection<FeatureRow> written,
      PCollection<KV<String, Long>> watermarks,
      PCollection<DeadLetter> deadLetters,
      PCollection<Alert> qualityAlerts,
      PCollection<Alert> volumeAlerts,
      PCollection<Alert> freshnessAlerts) {}

  /**
   * How many of a source's past statistics windows (with records) each window's count of records
   * is compared with ({@link CheckVolume#againstPastWindows}): a day of hourly windows.
   */
  public static final int VOLUME_PAST_WINDOWS = 24;

  private StreamFeatures() {}

  /** A run id: the UTC time and a random suffix. */
  public static String newRunId() {
    return java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")
            .withZone(java.time.ZoneOffset.UTC)
            .format(Instant.now())
        + "-" + Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt(0x10000, 0x100000));
  }

  /** Adds the stream to a pipeline. The online store must be prepared ({@code PrepareOnlineStore}). */
  public static Outputs build(Pipeline pipeline, Spec spec) {
    spec.check();
    FeatureRepository repo = spec.repository();
    List<String> groups = spec.chosenGroups();
    ComputeFeatures compute =
        ComputeFeatures.of(repo).withGroups(groups).withLatenessShards(spec.latenessShards());
    StreamStart start = spec.start();
    long since = start.since().toEpochMilli();
    List<PCollection<DeadLetter>> dead = new ArrayList<>();
    Map<String, PCollection<SourceRecord>> live = new LinkedHashMap<>();
    PCollectionTuple sources = PCollectionTuple.empty(pipeline);
    for (String name : compute.sources()) {
      PCollectionTuple read = pipeline.apply("ReadStream/" + name, spec.inputs().read(repo.source(name)));
      dead.add(read.get(ReadStream.DEAD_LETTERS));
      PCollection<SourceRecord> records =
          read.get(ReadStream.RECORDS)
              .apply("SinceStart/" + name, new SelectEventTimes(since, Long.MAX_VALUE, "records_before_start_" + name));
      live.put(name, records);
      if (start.bootstrapped()) {
        List<FeatureGroupDef> ofSource = new ArrayList<>();
        groups.stream().map(repo::group).filter(g -> g.source().equals(name)).forEach(ofSource::add);
        Instant from = start.bootstrapFrom(ofSource);
        PCollectionTuple files =
            pipeline.apply(
                "ReadBootstrap/" + name,
                ReadSource.of(repo.source(name), spec.bootstrapRoot(), StreamStart.dayOf(from), start.lastBootstrapDay()));
        dead.add(files.get(ReadSource.DEAD_LETTERS));
        PCollection<SourceRecord> before =
            files.get(ReadSource.RECORDS)
                .apply("BootstrapRange/" + name,
                    new SelectEventTimes(from.toEpochMilli(), since, "records_outside_bootstrap_" + name));
        records = PCollectionList.of(before).and(records).apply("WithBootstrap/" + name, Flatten.pCollections());
      }
      CheckedRecords checked =
          records.apply(
              "CheckRecords/" + name,
              CheckRecords.of(repo, name).withTimeBounds(spec.timeBounds()));
      dead.add(checked.deadLetters());
      sources = sources.and(ComputeFeatures.sourceTag(name), checked.valid());
    }
    FeatureOutputs out = sources.apply("ComputeFeatures", compute);
    dead.add(out.deadLetters());
    dead.add(out.lateEvents());

    List<PCollection<FeatureRow>> written = new ArrayList<>();
    List<PCollection<KV<String, Long>>> watermarks = new ArrayList<>();
    for (String g : groups) {
      OnlineWriteResult w =
          out.rows()
              .apply("RowsOf/" + g, Filter.by(new OfGroup(g)))
              .apply("WriteOnline/" + g,
                  WriteOnline.stream(spec.target(), repo, start.readSince(repo.group(g))).withGroups(List.of(g)));
      // each group's outputs are windowed by its own hop: back in the global window, groups of
      // different hops flatten together
      written.add(w.written().apply("WrittenOf/" + g, Window.into(new GlobalWindows())));
      watermarks.add(w.watermarks().apply("WatermarksOf/" + g, Window.into(new GlobalWindows())));
      dead.add(w.deadLetters());
    }

    PCollectionTuple toValidate = PCollectionTuple.of(ValidateStream.ROWS, out.rows());
    for (Map.Entry<String, PCollection<SourceRecord>> e : live.entrySet()) {
      toValidate = toValidate.and(ComputeFeatures.sourceTag(e.getKey()), e.getValue());
    }
    PCollection<Alert> quality =
        toValidate.apply(
            "ValidateStream",
            new ValidateStream(repo, groups, since, spec.statisticsWindow(), spec.baseline(), spec.validationRoot()));
    dead.add(writeAlerts(quality, spec, "quality", "WriteQualityAlerts"));

    List<PCollection<KV<String, Long>>> items = new ArrayList<>();
    live.forEach((name, records) -> items.add(records.apply("VolumeItems/" + name, CheckVolume.records(name))));
    PCollection<Alert> volume =
        PCollectionList.of(items)
            .apply("FlattenVolumeItems", Flatten.pCollections())
            .apply("CheckVolume",
                CheckVolume.againstPastWindows(List.copyOf(live.keySet()), VOLUME_PAST_WINDOWS)
                    .withFixedWindows(spec.statisticsWindow()))
            .apply("WindowVolumeAlerts",
                Window.into(FixedWindows.of(org.joda.time.Duration.millis(spec.statisticsWindow().toMillis()))));
    dead.add(writeAlerts(volume, spec, "volume", "WriteVolumeAlerts"));

    PCollection<Alert> freshness;
    boolean unbounded = out.rows().isBounded() == PCollection.IsBounded.UNBOUNDED;
    if (unbounded && spec.freshnessInterval() != null) {
      Map<String, FreshnessPolicy> policies = new LinkedHashMap<>();
      groups.forEach(g -> policies.put(g, FreshnessPolicy.forGroup(repo.group(g))));
      freshness =
          pipeline
              .apply("ReadOnlineWatermarks", new ReadOnlineWatermarks(spec.target(), repo, groups, spec.freshnessInterval()))
              .apply("CheckFreshness", CheckFreshness.of(policies))
              .apply("WindowFreshnessAlerts",
                  Window.into(FixedWindows.of(org.joda.time.Duration.millis(spec.freshnessInterval().toMillis()))));
      dead.add(writeAlerts(freshness, spec, "freshness", "WriteFreshnessAlerts"));
    } else {
      freshness = pipeline.apply("NoFreshnessAlerts", Create.empty(Alert.Coder.of()));
    }

    PCollection<DeadLetter> allDead =
        PCollectionList.of(dead).apply("FlattenDeadLetters", Flatten.pCollections());
    allDead.apply("WriteDeadLetters",
        new WriteStreamDeadLetters(spec.deadLetterRoot(), spec.runId(), spec.deadLetterFlush()));
    PCollection<FeatureRow> allWritten =
        PCollectionList.of(written).apply("FlattenWritten", Flatten.pCollections());
    PCollection<KV<String, Long>> allWatermarks =
        PCollectionList.of(watermarks)
            .apply("FlattenWatermarks", Flatten.pCollections())
            .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    return new Outputs(out.rows(), allWritten, allWatermarks, allDead, quality, volume, freshness);
  }

  /**
   * Writes alerts to every configured output; returns the ones the webhook did not take, as dead
   * letters back in the global window (dead letters are written by arrival).
   */
  private static PCollection<DeadLetter> writeAlerts(PCollection<Alert> alerts, Spec spec, String folder, String step) {
    WriteAlerts write = WriteAlerts.create();
    if (spec.alertRoot() != null) {
      write = write.withLocation(join(spec.alertRoot(), folder));
    }
    if (spec.webhook() != null) {
      write = write.withWebhook(spec.webhook());
    }
    return alerts
        .apply(step, write)
        .apply(step + "Undelivered", Window.into(new GlobalWindows()));
  }

  static String join(String root, String child) {
    return root.endsWith("/") ? root + child : root + "/" + child;
  }

  /** Rows of one group. */
  static final class OfGroup implements org.apache.beam.sdk.transforms.ProcessFunction<FeatureRow, Boolean> {
    private final String group;

    OfGroup(String group) {
      this.group = group;
    }

    @Override
    public Boolean apply(FeatureRow row) {
      return row.group().equals(group);
    }
  }
}
