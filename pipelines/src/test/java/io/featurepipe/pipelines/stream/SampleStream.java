package io.featurepipe.pipelines.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import io.featurepipe.pipelines.backfill.Backfill;
import io.featurepipe.pipelines.ingest.kafka.EmbeddedKafka;
import io.featurepipe.pipelines.ingest.kafka.ProduceLines;
import io.featurepipe.pipelines.ingest.kafka.ReadKafka;
import io.featurepipe.pipelines.materialize.Materialize;
import io.featurepipe.sinks.offline.OfflineLayout;
import io.featurepipe.sinks.offline.OfflineStore;
import com.google.cloud.bigtable.data.v2.models.Filters;
import com.google.cloud.bigtable.data.v2.models.Query;
import com.google.cloud.bigtable.data.v2.models.Row;
import com.google.cloud.bigtable.data.v2.models.RowCell;
import com.google.cloud.bigtable.data.v2.models.TableId;
import com.google.protobuf.ByteString;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.CellValues;
import io.featurepipe.sinks.online.OnlineLayout;
import io.featurepipe.sinks.online.EmbeddedBigtable;
import io.featurepipe.sinks.online.OnlineReader;
import io.featurepipe.sinks.online.OnlineValues;
import io.featurepipe.sinks.online.PrepareOnlineStore;
import io.featurepipe.sinks.online.StoreMetadata;
import io.featurepipe.transforms.compute.CompiledGroup;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.testing.Collected;
import io.featurepipe.transforms.time.TimeRules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The world the stream tests share: the sample's last day (2026-01-14) produced to Kafka in arrival
 * order (an in-process broker), the days before backfilled into an offline store (the training-set
 * values), and a Bigtable emulator. Streams start at {@link #S} = 2026-01-14T00:00Z, bootstrapped
 * from the files of the days before; materialize fills 2026-01-10..13.
 */
final class SampleStream implements AutoCloseable {
  static final Path DEFS = Path.of("../feature-defs/payments");
  static final Path DATA = Path.of("../test-data/sample").toAbsolutePath().normalize();
  static final Instant S = Instant.parse("2026-01-14T00:00:00Z");
  static final LocalDate FIRST = LocalDate.of(2026, 1, 10);
  static final LocalDate STREAMED = LocalDate.of(2026, 1, 14);
  static final List<String> GROUPS = List.of("user_spend", "user_logins");
  static final Duration RETENTION = Duration.ofDays(30);
  /** The sources' allowed lateness (both 1h). */
  static final long LATENESS = 3_600_000L;
  /** Every row of the streamed day is written once M passes this (the windows of day 14 then emptied). */
  static final long STREAM_DONE = Instant.parse("2026-01-21T00:00:00Z").toEpochMilli();

  final FeatureRepository repo;
  final EmbeddedKafka kafka;
  final EmbeddedBigtable bigtable;
  final Path dir;
  final String offlineRoot;
  /** The lines of the streamed day produced to each source's topic. */
  Map<String, Long> produced;

  private SampleStream(FeatureRepository repo, EmbeddedKafka kafka, EmbeddedBigtable bigtable, Path dir) {
    this.repo = repo;
    this.kafka = kafka;
    this.bigtable = bigtable;
    this.dir = dir;
    this.offlineRoot = dir.resolve("offline").toString();
  }

  /** Starts the broker and the emulator, produces day 14 to topics {@code <prefix>payments}/{@code <prefix>logins}, backfills. */
  static long T0 = System.nanoTime();

  static void phase(String what) {
    System.err.printf("PHASE %6.1f s %s%n", (System.nanoTime() - T0) / 1e9, what);
  }

  private static SampleStream shared;

  /**
   * The world of this JVM, started on first use and closed when the JVM exits: the test classes
   * that stream the sample share its broker, emulator and backfill (each writes its own tables and
   * topics).
   */
  static synchronized SampleStream shared() throws Exception {
    if (shared == null) {
      SampleStream s = start(java.nio.file.Files.createTempDirectory("featurepipe-sample-stream"));
      Runtime.getRuntime().addShutdownHook(new Thread(s::close));
      shared = s;
    }
    return shared;
  }

  static SampleStream start(Path dir) throws Exception {
    FeatureRepository repo = RepositoryLoader.load(DEFS);
    EmbeddedKafka kafka = EmbeddedKafka.start();
    EmbeddedBigtable bigtable = EmbeddedBigtable.start();
    SampleStream s = new SampleStream(repo, kafka, bigtable, dir);
    s.produced = s.produce("");
    Pipeline p = Pipeline.create(directOptions(true));
    // the expected values; validation of a backfill is tested elsewhere
    Backfill.build(p, new Backfill.Spec(repo, DATA.toString(), FIRST, STREAMED, GROUPS, s.offlineRoot, "expected", null)
        .withValidation(null));
    phase("setup");
    p.run().waitUntilFinish();
    phase("backfill");
    return s;
  }

  /** Produces the streamed day of both sources to topics named after them with a prefix; returns the lines per source. */
  Map<String, Long> produce(String topicPrefix) {
    Map<String, Long> out = new TreeMap<>();
    for (String source : List.of("payments", "logins")) {
      kafka.createTopic(topicPrefix + source, 3);
      try (ProduceLines lines = ProduceLines.to(kafka.bootstrapServers(), topicPrefix + source)) {
        out.put(source, lines.sourceFiles(repo.source(source), DATA.toString(), STREAMED, STREAMED));
      }
    }
    return out;
  }

  static DirectOptions directOptions(boolean block) {
    DirectOptions o = PipelineOptionsFactory.as(DirectOptions.class);
    o.setRunner(DirectRunner.class);
    o.setBlockOnRun(block);
    o.setEnforceImmutability(false);
    o.setEnforceEncodability(false);
    return o;
  }

  BigtableTarget table(String name) throws IOException {
    BigtableTarget t = BigtableTarget.parse("test-project/test-instance/" + name).withEmulator(bigtable.hostPort());
    PrepareOnlineStore.of(t, repo).withRetention(RETENTION).prepare();
    return t;
  }

  /**
   * A bootstrapped stream of the two groups from S into {@code target}, reading the topics from
   * the start; {@code replay}: it ends after the records produced (a bounded run, as {@code stream
   * --max-records} does), else it runs until cancelled.
   */
  StreamFeatures.Spec spec(BigtableTarget target, String consumerGroups, Path out, boolean replay) {
    StreamInputs inputs =
        StreamInputs.defaults()
            .withKafkaBootstrap(kafka.bootstrapServers())
            .withStart(ReadKafka.Start.EARLIEST)
            .withGroupIdPrefix(consumerGroups);
    if (replay) {
      for (Map.Entry<String, Long> e : produced.entrySet()) {
        inputs = inputs.withMaxRecords(e.getKey(), e.getValue());
      }
    }
    return StreamFeatures.Spec.of(repo, target, StreamStart.bootstrapped(S), out.resolve("dead-letters").toString())
        .withGroups(GROUPS)
        .withBootstrapRoot(DATA.toString())
        .withInputs(inputs)
        .withDeadLetterFlush(Duration.ofSeconds(1))
        .withStatisticsWindow(Duration.ofDays(1))
        .withFreshnessInterval(Duration.ofSeconds(2))
        .withAlertRoot(out.resolve("alerts").toString());
  }

  /** Materializes the days before the stream into {@code target} (DirectRunner); returns the rows written. */
  List<FeatureRow> materialize(BigtableTarget target, LocalDate from, LocalDate to) {
    Pipeline p = Pipeline.create(directOptions(true));
    String box = "materialized-" + System.nanoTime();
    Materialize.build(p, new Materialize.Spec(repo, offlineRoot, from, to, GROUPS, target, null))
        .written()
        .apply("CollectWritten", Collected.into(box));
    p.run().waitUntilFinish();
    phase("materialize");
    return Collected.get(box);
  }

  /** What a stream run left: the rows its writers owned, its dead letters (as emitted and as written), its counters. */
  record StreamRun(List<FeatureRow> written, List<DeadLetter> deadLetters, List<JsonNode> deadLetterFiles, Map<String, Long> counters) {}

  /**
   * Builds and runs a stream until every row of the streamed day is written and its undecodable
   * records are in the dead-letter files, then cancels it. {@code counters} reads the running job's
   * {@code featurepipe} counters (null where the runner reports none while running).
   */
  StreamRun runUntilDone(Pipeline p, StreamFeatures.Spec spec, java.util.function.Function<PipelineResult, Map<String, Long>> counters)
      throws Exception {
    return runUntilDone(p, spec, counters, () -> {});
  }

  /** Work done while a stream runs. */
  interface WhileRunning {
    void run() throws Exception;
  }

  /**
   * As {@link #runUntilDone(Pipeline, StreamFeatures.Spec, java.util.function.Function)}; an
   * unbounded stream also runs {@code whileRunning} once every group's M has passed S by the
   * allowed lateness (so the window ends before S are final), before waiting for the rest of the
   * day: the stream is still running (only cancelled afterwards) while it does.
   */
  StreamRun runUntilDone(
      Pipeline p, StreamFeatures.Spec spec, java.util.function.Function<PipelineResult, Map<String, Long>> counters,
      WhileRunning whileRunning) throws Exception {
    StreamFeatures.Outputs o = StreamFeatures.build(p, spec);
    String box = "stream-" + System.nanoTime();
    o.written().apply("CollectWritten", Collected.into(box + "/written"));
    o.deadLetters().apply("CollectDeadLetters", Collected.into(box + "/dead"));
    Path deadLetters = Path.of(spec.deadLetterRoot());
    long bad = badLines();
    PipelineResult result = p.run();
    if (!spec.inputs().maxRecords().isEmpty()) {
      result.waitUntilFinish();
      phase("stream");
      return new StreamRun(Collected.get(box + "/written"), Collected.get(box + "/dead"), parse(jsonLines(deadLetters)),
          counters.apply(result));
    }
    Map<String, Long> seen;
    try {
      awaitWatermarks(spec.target(), S.toEpochMilli() + LATENESS);
      whileRunning.run();
      phase("while running");
      awaitWatermarks(spec.target(), STREAM_DONE);
      await("the undecodable lines in the dead-letter files", () -> {
        try {
          return parse(jsonLines(deadLetters)).stream().filter(SampleStream::isDecodeFailure).count() >= bad;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      seen = counters.apply(result);
      if (seen != null) {
        long counted = seen.getOrDefault("dead_letters", 0L);
        await("every counted dead letter written", () -> {
          try {
            return jsonLines(deadLetters).size() >= counted;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
    } finally {
      try {
        result.cancel();
      } catch (IllegalStateException | IOException e) {
        // a detached Flink [local] mini-cluster is already gone
      }
    }
    return new StreamRun(Collected.get(box + "/written"), Collected.get(box + "/dead"), parse(jsonLines(deadLetters)), seen);
  }

  static boolean isDecodeFailure(JsonNode deadLetter) {
    String step = deadLetter.get("step").asText();
    return step.startsWith("ReadKafka/") || step.startsWith("ReadSourceFiles/");
  }

  /**
   * The undecodable lines a bootstrapped stream of the two groups meets: those of the files from
   * the first bootstrap day (2026-01-06) to the streamed day, as the backfill found them (its dead
   * letters name file and line).
   */
  long badLines() throws IOException {
    long n = 0;
    for (JsonNode d : parse(jsonLines(Path.of(offlineRoot, "_dead_letters")))) {
      String origin = d.get("origin").asText();
      for (LocalDate day = LocalDate.of(2026, 1, 6); !day.isAfter(STREAMED); day = day.plusDays(1)) {
        if (isDecodeFailure(d) && origin.contains("/" + day + ".")) {
          n++;
        }
      }
    }
    return n;
  }

  /** The featurepipe counters of a DirectRunner job, running or finished. */
  static Map<String, Long> directCounters(PipelineResult result) {
    Map<String, Long> out = new TreeMap<>();
    result.metrics().queryMetrics(MetricsFilter.builder().addNameFilter(MetricNameFilter.inNamespace("featurepipe")).build())
        .getCounters()
        .forEach(c -> out.merge(c.getName().getName(), c.getAttempted(), Long::sum));
    return out;
  }

  /** Each group's watermark cell M (null: none). */
  Map<String, Long> watermarks(BigtableTarget target) throws IOException {
    List<FeatureGroupDef> defs = GROUPS.stream().map(repo::group).toList();
    Map<String, Long> out = new TreeMap<>();
    try (BigtableDataClient client = BigtableDataClient.create(target.dataSettings())) {
      StoreMetadata.read(client, target.table(), defs).forEach((g, s) -> out.put(g, s.watermarkMillis()));
    }
    return out;
  }

  /** Waits (at most 3 minutes) until every group's M is at least {@code millis}. */
  void awaitWatermarks(BigtableTarget target, long millis) throws Exception {
    await("M >= " + Instant.ofEpochMilli(millis) + " in " + target.table(), () -> {
      try {
        return watermarks(target).values().stream().allMatch(m -> m != null && m >= millis);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 180_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 3 minutes: " + what);
      }
      Thread.sleep(200);
    }
  }

  /** The JSON lines of every file under a folder (none when it does not exist). */
  static List<String> jsonLines(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".jsonl") && !p.toString().contains("/.")).sorted().toList()) {
        for (String line : Files.readAllLines(f)) {
          if (!line.isBlank()) {
            out.add(line);
          }
        }
      }
    }
    return out;
  }

  static List<JsonNode> parse(List<String> lines) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> out = new ArrayList<>();
    for (String l : lines) {
      out.add(json.readTree(l));
    }
    return out;
  }

  /** (group, feature, window end, key) of every cell a writer wrote. */
  static Set<String> cells(List<FeatureRow> written) {
    Set<String> out = new HashSet<>();
    for (FeatureRow r : written) {
      for (int f = r.onlineWrites().nextSetBit(0); f >= 0; f = r.onlineWrites().nextSetBit(f + 1)) {
        out.add(r.group() + "|" + r.key() + "|" + r.windowEndMillis() + "|" + f);
      }
    }
    return out;
  }

  /** Every cell a writer wrote with its value: (group, key, window end, feature) → value. */
  static Map<String, String> cellValues(List<FeatureRow> written) {
    Map<String, String> out = new TreeMap<>();
    for (FeatureRow r : written) {
      for (int f = r.onlineWrites().nextSetBit(0); f >= 0; f = r.onlineWrites().nextSetBit(f + 1)) {
        out.put(r.group() + "|" + r.key() + "|" + r.windowEndMillis() + "|" + f, Arrays.deepToString(new Object[] {r.values()[f]}));
      }
    }
    return out;
  }

  /**
   * The window ends whose values a too-late event of the stream would have changed, per group and
   * key: {@code (ts, ts + longest window + hop]} (its windows, and the explicit empty after them).
   * The stream equals the bounded run minus its late-data output (DESIGN §3); the training set of
   * the backfill includes those events, so reads there are not compared.
   */
  Map<String, List<long[]>> lateSpans(List<DeadLetter> deadLetters) throws IOException {
    Map<String, List<long[]>> out = new HashMap<>();
    ObjectMapper json = new ObjectMapper();
    for (DeadLetter d : deadLetters) {
      if (!d.step().startsWith("ClassifyLateness/")) {
        continue;
      }
      JsonNode record = json.readTree(d.payload());
      long ts = Instant.parse(record.get("event_time").asText()).toEpochMilli();
      for (String g : GROUPS) {
        FeatureGroupDef def = repo.group(g);
        if (def.source().equals(d.source())) {
          long span = TimeRules.millis(def.longestWindow()) + TimeRules.millis(def.hop());
          out.computeIfAbsent(g + "|" + record.get("user_id").asText(), k -> new ArrayList<>())
              .add(new long[] {ts, ts + span});
        }
      }
    }
    return out;
  }

  /** What a comparison of online reads with the training-set values found. */
  record Comparison(int compared, int skippedLate, List<String> mismatches) {}

  /**
   * Reads {@code keysPerRead} users of the sample (drawn anew each time, plus one that never paid)
   * as of {@code times} sampled instants in the days {@link #FIRST} .. {@link #STREAMED} (both
   * groups per call) and compares each fresh value with the training-set value: the offline row
   * at {@code e(t)} of the backfill, or the group's empty values. (The emulator reads a row in time
   * proportional to all its cells, so the sample is kept to a few thousand reads.)
   */
  Comparison compare(BigtableTarget target, long seed, int times, int keysPerRead, Map<String, List<long[]>> late)
      throws IOException {
    Map<String, Map<String, Object[]>> expected = new HashMap<>();
    Set<String> users = new java.util.TreeSet<>();
    OfflineStore store = new OfflineStore(repo, offlineRoot);
    for (String g : GROUPS) {
      Map<String, Object[]> rows = new HashMap<>();
      for (LocalDate d = FIRST; !d.isAfter(STREAMED); d = d.plusDays(1)) {
        for (FeatureRow r : store.rows(g, d)) {
          rows.put(r.key().get(0) + "@" + r.windowEndMillis(), r.values());
          users.add((String) r.key().get(0));
        }
      }
      expected.put(g, rows);
    }
    List<String> all = new ArrayList<>(users);
    Random rnd = new Random(seed);
    long first = OfflineLayout.startOf(FIRST) + 120_000L;
    long span = OfflineLayout.startOf(STREAMED.plusDays(1)) - first;
    List<String> mismatches = new ArrayList<>();
    int compared = 0;
    int skipped = 0;
    // the sampled (time, keys) in a fixed order from the seed; read four at a time (the emulator
    // answers each multi-get in a few hundred ms), then compared in that order
    List<long[]> times_ = new ArrayList<>();
    List<List<Map<String, Object>>> keySets = new ArrayList<>();
    for (int i = 0; i < times; i++) {
      long tMillis = first + (long) (rnd.nextDouble() * span);
      if (i % 3 == 0) {
        // right at and right before the instant e(t) moves (availability delay 2m)
        tMillis = Math.floorDiv(tMillis, 3_600_000L) * 3_600_000L + 120_000L - (rnd.nextBoolean() ? 1 : 0);
      }
      long tNanos = tMillis * 1_000_000L + rnd.nextInt(1_000_000);
      java.util.Collections.shuffle(all, rnd);
      List<Map<String, Object>> keys = new ArrayList<>();
      all.subList(0, keysPerRead).forEach(u -> keys.add(Map.of("user_id", u)));
      keys.add(Map.of("user_id", "u9999"));
      times_.add(new long[] {tMillis, tNanos});
      keySets.add(keys);
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try (OnlineReader reader = OnlineReader.open(target, repo, RETENTION)) {
      List<java.util.concurrent.Future<List<Map<String, OnlineValues>>>> reads = new ArrayList<>();
      for (int i = 0; i < times; i++) {
        long tNanos = times_.get(i)[1];
        List<Map<String, Object>> keys = keySets.get(i);
        reads.add(pool.submit(() -> reader.readAsOf(keys, GROUPS, tNanos)));
      }
      for (int i = 0; i < times; i++) {
        long tMillis = times_.get(i)[0];
        long tNanos = times_.get(i)[1];
        List<Map<String, Object>> keys = keySets.get(i);
        List<Map<String, OnlineValues>> read;
        try {
          read = reads.get(i).get();
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
          throw new IOException("online read as of " + tMillis, e);
        }
        for (int k = 0; k < keys.size(); k++) {
          String user = (String) keys.get(k).get("user_id");
          for (String g : GROUPS) {
            FeatureGroupDef def = repo.group(g);
            OnlineValues v = read.get(k).get(g);
            long e = TimeRules.windowEndAsOf(tNanos, def.availabilityDelay(), TimeRules.millis(def.hop()));
            if (!v.fresh()) {
              mismatches.add(g + " " + user + " as of " + tMillis + ": not fresh (" + v.windowEndMillis() + ")");
              continue;
            }
            if (affected(late.get(g + "|" + user), e)) {
              skipped++;
              continue;
            }
            Object[] want = expected.get(g).getOrDefault(user + "@" + e, CompiledGroup.of(repo, def).emptyValues());
            Object[] got = v.values().values().toArray();
            if (!Arrays.deepEquals(want, got)) {
              mismatches.add(g + " " + user + " at " + Instant.ofEpochMilli(e) + ": expected "
                  + Arrays.deepToString(want) + " but read " + Arrays.deepToString(got));
            }
            compared++;
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
    phase("compare");
    return new Comparison(compared, skipped, mismatches.size() > 20 ? mismatches.subList(0, 20) : mismatches);
  }

  private static boolean affected(List<long[]> spans, long e) {
    if (spans != null) {
      for (long[] s : spans) {
        if (e > s[0] && e <= s[1]) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Checks every cell of the groups' families in {@code target} against the one-writer rule: a cell
   * at a window end the stream owns ({@code >= S}) was written by the stream, any other by the batch
   * writer, and it holds a value its owner wrote for it. Returns the first problems (none: empty).
   */
  List<String> cellOwners(BigtableTarget target, List<FeatureRow> streamed, List<FeatureRow> batch) throws IOException {
    Map<String, Set<ByteString>> byStream = encoded(streamed);
    Map<String, Set<ByteString>> byBatch = encoded(batch);
    List<String> problems = new ArrayList<>();
    Set<String> stored = new HashSet<>();
    try (BigtableDataClient client = BigtableDataClient.create(target.dataSettings())) {
      for (String g : GROUPS) {
        FeatureGroupDef def = repo.group(g);
        Map<ByteString, Integer> index = new HashMap<>();
        for (int f = 0; f < def.features().size(); f++) {
          index.put(OnlineLayout.qualifier(def.features().get(f).name()), f);
        }
        Query all = Query.create(TableId.of(target.table())).filter(Filters.FILTERS.family().exactMatch(OnlineLayout.family(def)));
        for (Row row : client.readRows(all)) {
          List<Object> key = OnlineLayout.keyOf(repo.entity(def.entity()), row.getKey());
          for (RowCell c : row.getCells()) {
            long e = OnlineLayout.windowEnd(c.getTimestamp());
            String cell = g + "|" + key + "|" + e + "|" + index.get(c.getQualifier());
            Map<String, Set<ByteString>> owner = e >= S.toEpochMilli() ? byStream : byBatch;
            Map<String, Set<ByteString>> other = owner == byStream ? byBatch : byStream;
            stored.add(cell);
            if (other.containsKey(cell)) {
              problems.add(cell + ": written by " + (owner == byStream ? "materialize" : "the stream") + ", not its owner");
            } else if (!owner.getOrDefault(cell, Set.of()).contains(c.getValue())) {
              problems.add(cell + ": " + (owner.containsKey(cell) ? "a value its owner did not write" : "its owner did not write it"));
            }
          }
        }
      }
    }
    for (String cell : byStream.keySet()) {
      if (!stored.contains(cell)) {
        problems.add(cell + ": written by the stream, not stored");
      }
    }
    for (String cell : byBatch.keySet()) {
      if (!stored.contains(cell)) {
        problems.add(cell + ": written by materialize, not stored");
      }
    }
    return problems.size() > 20 ? problems.subList(0, 20) : problems;
  }

  /** (group, key, window end, feature) → the encoded values written there. */
  private Map<String, Set<ByteString>> encoded(List<FeatureRow> written) {
    Map<String, Set<ByteString>> out = new HashMap<>();
    for (FeatureRow r : written) {
      FeatureGroupDef def = repo.group(r.group());
      for (int f = r.onlineWrites().nextSetBit(0); f >= 0; f = r.onlineWrites().nextSetBit(f + 1)) {
        out.computeIfAbsent(r.group() + "|" + r.key() + "|" + r.windowEndMillis() + "|" + f, k -> new HashSet<>())
            .add(CellValues.encode(r.values()[f], def.features().get(f).outputType()));
      }
    }
    return out;
  }

  /** Dead letters by step, from the JSON lines of a folder. */
  static Map<String, List<JsonNode>> byStep(List<JsonNode> letters) {
    Map<String, List<JsonNode>> out = new LinkedHashMap<>();
    for (JsonNode n : letters) {
      out.computeIfAbsent(n.get("step").asText(), k -> new ArrayList<>()).add(n);
    }
    return out;
  }

  @Override
  public void close() {
    kafka.close();
    bigtable.close();
  }
}
