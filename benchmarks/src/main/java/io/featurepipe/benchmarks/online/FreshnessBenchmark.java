package io.featurepipe.benchmarks.online;

import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import com.google.cloud.bigtable.data.v2.models.Query;
import com.google.cloud.bigtable.data.v2.models.Row;
import com.google.cloud.bigtable.data.v2.models.RowCell;
import com.google.cloud.bigtable.data.v2.models.RowMutation;
import com.google.cloud.bigtable.data.v2.models.TableId;
import com.google.protobuf.ByteString;
import io.featurepipe.benchmarks.BenchmarkSuite;
import io.featurepipe.benchmarks.LocalFlinkStream;
import io.featurepipe.benchmarks.Machine;
import io.featurepipe.benchmarks.Percentiles;
import io.featurepipe.pipelines.ingest.kafka.EmbeddedKafka;
import io.featurepipe.pipelines.ingest.kafka.ReadKafka;
import io.featurepipe.pipelines.stream.StreamFeatures;
import io.featurepipe.pipelines.stream.StreamInputs;
import io.featurepipe.pipelines.stream.StreamStart;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.EmbeddedBigtable;
import io.featurepipe.sinks.online.OnlineLayout;
import io.featurepipe.sinks.online.OnlineReader;
import io.featurepipe.sinks.online.OnlineValues;
import io.featurepipe.sinks.online.PrepareOnlineStore;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import io.featurepipe.runners.flink.FlinkDefaults;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The {@code freshness} suite: how long after the input watermark passes a window end its values
 * are readable online (DESIGN §6), with the streaming pipeline on Flink {@code [local]} (streaming,
 * checkpointing), an in-process Kafka broker and the bundled Bigtable emulator, all in this process.
 *
 * <p>A producer thread sends events at a fixed rate with event time = the wall clock, so windows
 * close in real time (hop 1 s). For each window end {@code E}:
 *
 * <ul>
 *   <li><b>watermark time</b> {@code W(E)}: the latest, over the topic's partitions, of the send
 *       time of the first event with event time {@code >= E + watermark_delay} (here 0) on that
 *       partition. The source's watermark (the minimum over partitions of the largest event time
 *       read, minus the delay) cannot pass {@code E} before then; it passes once those events are
 *       read. So {@code W(E)} is a lower bound of the input watermark's passing, measured on the
 *       same clock as the reads, and the freshness below includes the broker and KafkaIO's read.
 *   <li><b>readable time</b> {@code R(E)}: the first time an {@link OnlineReader} read as of
 *       {@code E} (whose window end is {@code E}: availability delay 0) returns {@code _fresh}:
 *       the watermark cell M has reached {@code E}, which the sink moves only after every cell up
 *       to {@code E} is written. A poller reads every {@link #POLL_MILLIS} ms.
 * </ul>
 *
 * Freshness is {@code R(E) - W(E)}. The baseline, measured in the same run against the same
 * emulator: one cell written with {@code mutateRow} and read back with {@code readRow}, the round
 * trip no pipeline can beat. Write throughput: the cells the stream wrote over the measured window
 * ends, per second.
 *
 * <p>Properties: {@code benchmarks.freshness.rate} (events/s, default 500), {@code
 * benchmarks.freshness.keys} (default 100), {@code benchmarks.freshness.bundleMillis} (Flink's
 * {@code maxBundleTimeMills}, default featurepipe's streaming default, {@code FlinkDefaults.MAX_BUNDLE_TIME_MILLIS}), {@code
 * benchmarks.freshness.checkpointMillis} (default featurepipe's, {@code FlinkDefaults.CHECKPOINTING_INTERVAL_MILLIS};
 * -1: none), {@code benchmarks.freshness.operatorChaining} (default featurepipe's, {@code
 * FlinkDefaults.OPERATOR_CHAINING}), {@code benchmarks.freshness.watermarkIntervalMillis} (Flink's
 * auto-watermark interval; default Beam's). {@code --scale} scales the number of
 * window ends measured (120 at scale 1, at least 10).
 */
public final class FreshnessBenchmark implements BenchmarkSuite {
  static final long HOP = 1_000L;
  static final long POLL_MILLIS = 5L;
  static final int PARTITIONS = 2;
  static final int WARM_UP_WINDOWS = 5;

  @Override
  public String name() {
    return "freshness";
  }

  @Override
  public String description() {
    return "online freshness: input watermark passing a window end -> value readable, stream on Flink [local]; write rate";
  }

  static FeatureRepository repository() throws Exception {
    String yaml = """
        kind: source
        name: events
        format: jsonl
        timestamp: ts
        timestamp_format: epoch_millis
        fields:
          - {name: ts, type: timestamp, required: true}
          - {name: user_id, type: string, required: true}
          - {name: amount, type: double}
        bounded: {path: "events/*.jsonl"}
        unbounded: {kafka: {bootstrap: "localhost:1", topic: events}}
        watermark_delay: 0s
        allowed_lateness: 2s
        ---
        kind: entity
        name: user
        keys: [{name: user_id, type: string}]
        ---
        kind: feature_group
        name: fresh
        entity: user
        source: events
        keys: {user_id: user_id}
        hop: 1s
        features:
          - {name: n_5s, agg: count, window: 5s}
          - {name: amount_5s, agg: sum, column: amount, window: 5s}
          - {name: amount_mean_10s, agg: mean, column: amount, window: 10s}
          - {name: last_amount, agg: last, column: amount, window: 10s}
        online: true
        offline: false
        """;
    return RepositoryLoader.load(Map.of("fresh.yaml", yaml));
  }

  @Override
  public String run(Context context) throws Exception {
    int rate = Integer.getInteger("benchmarks.freshness.rate", 500);
    int keys = Integer.getInteger("benchmarks.freshness.keys", 100);
    long bundleMillis = Long.getLong("benchmarks.freshness.bundleMillis", FlinkDefaults.MAX_BUNDLE_TIME_MILLIS);
    long checkpointMillis = Long.getLong("benchmarks.freshness.checkpointMillis", FlinkDefaults.CHECKPOINTING_INTERVAL_MILLIS);
    boolean chaining = Boolean.parseBoolean(
        System.getProperty("benchmarks.freshness.operatorChaining", Boolean.toString(FlinkDefaults.OPERATOR_CHAINING)));
    int windows = (int) Math.max(10, context.scaled(120));
    FeatureRepository repo = repository();
    Path work = Files.createTempDirectory("featurepipe-freshness");
    try (EmbeddedBigtable bigtable = EmbeddedBigtable.start(); EmbeddedKafka kafka = EmbeddedKafka.start()) {
      BigtableTarget target = BigtableTarget.parse("bench/bench/features").withEmulator(bigtable.hostPort());
      PrepareOnlineStore.of(target, repo).prepare();
      double[] baseline = roundTrips(target.withTable("roundtrip"), repo, 200);
      kafka.createTopic("events", PARTITIONS);

      Producer producer = new Producer(kafka.bootstrapServers(), rate, keys);
      Thread producing = new Thread(producer, "freshness-producer");
      producing.start();
      Instant since = Instant.now();
      PipelineResult job = startStream(repo, target, kafka, since, work, bundleMillis, checkpointMillis, chaining);
      System.err.printf("freshness: %,d events/s over %,d keys, stream on Flink [local] since %s; measuring %d window ends%n",
          rate, keys, since, windows);
      TreeMap<Long, Long> readable;
      long firstE;
      try (OnlineReader reader = OnlineReader.open(target, repo)) {
        // the stream starts behind (job start-up, the backlog since the producer began): measure the
        // window ends that end after it wrote its first one, after a few of warm-up
        long m = awaitFirstWatermark(reader, producer);
        firstE = Math.max(m, Math.floorDiv(System.currentTimeMillis(), HOP) * HOP) + (1 + WARM_UP_WINDOWS) * HOP;
        readable = poll(reader, producer, firstE, windows);
      } finally {
        producer.stop();
        producing.join();
        try {
          job.cancel();
        } catch (Exception e) {
          // a detached [local] mini-cluster may be gone already
        }
      }
      long lastE = readable.lastKey();
      List<Long> freshness = new ArrayList<>();
      for (Map.Entry<Long, Long> r : readable.entrySet()) {
        freshness.add(r.getValue() - producer.watermarkTime(r.getKey()));
      }
      long cells = cellsWritten(target, repo, firstE, lastE);
      return section(context.machine(), context.scale(), rate, keys, windows, bundleMillis, checkpointMillis, chaining, freshness, baseline,
          cells, (lastE - firstE + HOP) / 1000.0, producer.sent.get());
    } finally {
      deleteQuietly(work);
    }
  }

  private static PipelineResult startStream(
      FeatureRepository repo, BigtableTarget target, EmbeddedKafka kafka, Instant since, Path work, long bundleMillis,
      long checkpointMillis, boolean chaining) {
    FlinkPipelineOptions options = LocalFlinkStream.options("featurepipe-freshness");
    FlinkDefaults.apply(options); // as `featurepipe stream` runs on Flink; then the benchmark's own settings
    options.setCheckpointingInterval(checkpointMillis);
    if (checkpointMillis > 0) {
      options.setMinPauseBetweenCheckpoints(Math.min(FlinkDefaults.MIN_PAUSE_BETWEEN_CHECKPOINTS_MILLIS, checkpointMillis / 2));
    }
    options.setMaxBundleTimeMills(bundleMillis);
    options.setOperatorChaining(chaining);
    Long watermarkInterval = Long.getLong("benchmarks.freshness.watermarkIntervalMillis");
    if (watermarkInterval != null) {
      options.setAutoWatermarkInterval(watermarkInterval);
    }
    StreamInputs inputs = StreamInputs.defaults()
        .withKafkaBootstrap(kafka.bootstrapServers())
        .withStart(ReadKafka.Start.EARLIEST)
        .withGroupIdPrefix("freshness");
    StreamFeatures.Spec spec =
        StreamFeatures.Spec.of(repo, target, StreamStart.of(since), work.resolve("dead-letters").toString())
            .withInputs(inputs)
            .withAlertRoot(work.resolve("alerts").toString())
            .withStatisticsWindow(Duration.ofMinutes(1))
            .withFreshnessInterval(Duration.ofSeconds(10));
    Pipeline p = Pipeline.create(options);
    StreamFeatures.build(p, spec);
    return p.run();
  }

  /**
   * The watermark cell M once the stream has written its first window end (then every window end
   * up to M is readable); fails after 3 minutes, or when the producer failed.
   */
  private static long awaitFirstWatermark(OnlineReader reader, Producer producer) throws Exception {
    long deadline = System.currentTimeMillis() + 180_000L;
    while (System.currentTimeMillis() < deadline) {
      producer.check();
      try {
        // a read as of a day ahead answers at e* = min(e(t), M) = M
        long ahead = (System.currentTimeMillis() + 86_400_000L) * 1_000_000L;
        return reader.readAsOf(List.of(Map.of("user_id", Producer.key(0))), List.of("fresh"), ahead).get(0).get("fresh")
            .windowEndMillis();
      } catch (IllegalStateException notYet) {
        if (notYet.getMessage() == null || !notYet.getMessage().contains("nothing has been written for it yet")) {
          throw notYet;
        }
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the stream wrote no window end within 3 minutes of its start");
  }

  /** Whether a read as of window end {@code e} is fresh: M has reached it. */
  private static boolean readable(OnlineReader reader, long e) {
    List<Map<String, OnlineValues>> read =
        reader.readAsOf(List.of(Map.of("user_id", Producer.key(0))), List.of("fresh"), e * 1_000_000L);
    return read.get(0).get("fresh").fresh();
  }

  /** R(E) for {@code windows} window ends from {@code firstE}: the first poll that read E fresh. */
  private static TreeMap<Long, Long> poll(OnlineReader reader, Producer producer, long firstE, int windows) throws Exception {
    TreeMap<Long, Long> out = new TreeMap<>();
    long e = firstE;
    long deadline = System.currentTimeMillis() + windows * HOP + 300_000L;
    while (out.size() < windows) {
      producer.check();
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("window end " + Instant.ofEpochMilli(e) + " not readable within 5 minutes of the"
            + " measured span: the stream does not keep up with " + producer.rate + " events a second on this machine");
      }
      if (readable(reader, e)) {
        long now = System.currentTimeMillis();
        out.put(e, now);
        e += HOP;
        continue; // the next one may be readable already
      }
      Thread.sleep(POLL_MILLIS);
    }
    return out;
  }

  /** The baseline: {@code n} round trips of one cell, {@code mutateRow} then {@code readRow}; {p50, p99, max} in ms. */
  static double[] roundTrips(BigtableTarget table, FeatureRepository repo, int n) throws Exception {
    PrepareOnlineStore.of(table, repo).prepare();
    String family = OnlineLayout.family(repo.group("fresh"));
    long[] nanos = new long[n];
    try (BigtableDataClient client = BigtableDataClient.create(table.dataSettings())) {
      for (int i = -20; i < n; i++) { // 20 warm-up round trips
        ByteString value = ByteString.copyFrom(Long.toString(i), StandardCharsets.UTF_8);
        long start = System.nanoTime();
        client.mutateRow(RowMutation.create(TableId.of(table.table()), "k" + (i & 7)).setCell(family, ByteString.copyFromUtf8("q"), (i + 100L) * 1000L, value));
        Row row = client.readRow(TableId.of(table.table()), ByteString.copyFromUtf8("k" + (i & 7)));
        long took = System.nanoTime() - start;
        if (row == null || row.getCells().stream().noneMatch(c -> c.getValue().equals(value))) {
          throw new IllegalStateException("the emulator did not read back the cell just written");
        }
        if (i >= 0) {
          nanos[i] = took;
        }
      }
    }
    Arrays.sort(nanos);
    return new double[] {Percentiles.of(nanos, 50) / 1e6, Percentiles.of(nanos, 99) / 1e6, nanos[n - 1] / 1e6};
  }

  /** Cells of the group with a window end in [firstE, lastE]. */
  private static long cellsWritten(BigtableTarget target, FeatureRepository repo, long firstE, long lastE) throws Exception {
    String family = OnlineLayout.family(repo.group("fresh"));
    long n = 0;
    try (BigtableDataClient client = BigtableDataClient.create(target.dataSettings())) {
      for (Row row : client.readRows(Query.create(TableId.of(target.table())))) {
        for (RowCell c : row.getCells(family)) {
          long e = c.getTimestamp() / 1000;
          if (e >= firstE && e <= lastE) {
            n++;
          }
        }
      }
    }
    return n;
  }

  /**
   * Sends {@code rate} events a second, event time = the wall clock at sending, round robin over
   * the partitions, and keeps per partition and window end the event time of the first event at
   * or after it: {@link #watermarkTime} is the latest of those over the partitions.
   */
  static final class Producer implements Runnable {
    private final KafkaProducer<byte[], byte[]> kafka;
    private final int rate;
    private final int keys;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Map<Long, long[]> firstAtOrAfter = new ConcurrentHashMap<>();
    private final long[] lastWindow = new long[PARTITIONS];
    private volatile boolean stopped;

    Producer(String bootstrap, int rate, int keys) {
      this.kafka = new KafkaProducer<>(
          Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "1",
              ProducerConfig.LINGER_MS_CONFIG, 0),
          new ByteArraySerializer(), new ByteArraySerializer());
      this.rate = rate;
      this.keys = keys;
      Arrays.fill(lastWindow, Long.MIN_VALUE);
    }

    static String key(int i) {
      return String.format("user-%05d", i);
    }

    @Override
    public void run() {
      Random random = new Random(6);
      long start = System.nanoTime();
      try {
        while (!stopped) {
          long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
          while (sent.get() < due) {
            long n = sent.getAndIncrement();
            int partition = (int) (n % PARTITIONS);
            long ts = System.currentTimeMillis();
            String line = "{\"ts\": " + ts + ", \"user_id\": \"" + key(random.nextInt(keys)) + "\", \"amount\": "
                + (random.nextInt(100_000) / 100.0) + "}";
            kafka.send(new ProducerRecord<>("events", partition, ts, null, line.getBytes(StandardCharsets.UTF_8)),
                (m, e) -> {
                  if (e != null) {
                    failure.compareAndSet(null, e);
                  }
                });
            long window = Math.floorDiv(ts, HOP) * HOP;
            if (window > lastWindow[partition]) {
              for (long e = Math.max(window - 5 * HOP, lastWindow[partition] + HOP); e <= window; e += HOP) {
                firstAtOrAfter.computeIfAbsent(e, k -> new long[PARTITIONS])[partition] = ts;
              }
              lastWindow[partition] = window;
            }
          }
          Thread.sleep(1);
        }
      } catch (Exception e) {
        failure.compareAndSet(null, e);
      } finally {
        kafka.close();
      }
    }

    /** W(E): when every partition had received an event at or after E. */
    long watermarkTime(long e) {
      long[] t = firstAtOrAfter.get(e);
      if (t == null || Arrays.stream(t).anyMatch(v -> v == 0)) {
        throw new IllegalStateException("no event at or after " + Instant.ofEpochMilli(e) + " on every partition");
      }
      return Arrays.stream(t).max().getAsLong();
    }

    void check() {
      Exception e = failure.get();
      if (e != null) {
        throw new IllegalStateException("the producer failed: " + e.getMessage(), e);
      }
    }

    void stop() {
      stopped = true;
    }
  }

  private static String section(
      Machine m, double scale, int rate, int keys, int windows, long bundleMillis, long checkpointMillis, boolean chaining, List<Long> freshness,
      double[] baseline, long cells, double seconds, long events) {
    long[] sorted = freshness.stream().mapToLong(Long::longValue).sorted().toArray();
    StringBuilder b = new StringBuilder();
    b.append("## freshness: input watermark passing a window end -> value readable online\n\n");
    b.append(String.format("Machine: %s, %d cores, %d GiB, %s, %s, commit %s, %s.%n%n",
        m.cpu(), m.cores(), m.memoryGiB(), m.java(), m.os(), m.commit(), m.at()));
    b.append(String.format(java.util.Locale.ROOT, "Command: `./benchmarks/run freshness --scale %.2f` (docs/benchmarks.md).%n%n", scale));
    b.append(String.format(
        "Stream: `StreamFeatures` on Flink `[local]` (parallelism 2, streaming, %s, bundles of at most"
            + " %,d ms, operator chaining %s%s; otherwise `featurepipe stream`'s Flink defaults), from an in-process Kafka broker (%d partitions) into the bundled Bigtable emulator, all in one process."
            + " Events: %,d a second (%,d sent in all) over %,d keys, event time = the wall clock; one group of 4 features"
            + " (5 s and 10 s windows, hop 1 s, watermark delay 0, availability delay 0). %d window ends measured, the first"
            + " ending %d s after the stream wrote its first window end (its start-up and backlog are not measured).%n%n",
        checkpointMillis > 0 ? String.format("checkpointing every %,d ms", checkpointMillis) : "no checkpoints",
        bundleMillis, chaining ? "on" : "off",
        FlinkDefaults.FINISH_BUNDLE_BEFORE_CHECKPOINTING ? ", bundles finished before each checkpoint barrier" : "", PARTITIONS, rate, events, keys, windows, WARM_UP_WINDOWS + 1));
    b.append("| measure | n | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|\n");
    b.append(String.format("| freshness: watermark passes E -> read as of E is fresh | %d | %,d | %,d | %,d |%n",
        sorted.length, Percentiles.of(sorted, 50), Percentiles.of(sorted, 99), sorted[sorted.length - 1]));
    b.append(String.format("| baseline: one cell `mutateRow` + `readRow` on the same emulator | 200 | %.2f | %.2f | %.2f |%n%n",
        baseline[0], baseline[1], baseline[2]));
    b.append(String.format("Target p99 under 2,000 ms: %s.%n%n", Percentiles.of(sorted, 99) < 2000 ? "met" : "**not met**"));
    b.append(String.format("Write throughput of the stream: %,d cells with window ends in the measured %.0f s, %,.0f cells/s"
        + " (only changed values are written).%n%n", cells, seconds, cells / seconds));
    b.append("Method: W(E) is when the producer had sent an event at or after E on every partition (a lower bound of the"
        + " input watermark passing E, so the figure includes the broker and the read); R(E) is the first of polls every "
        + POLL_MILLIS + " ms at which `OnlineReader` reads as of E fresh (the watermark cell reached E after every cell up to E"
        + " was written). See docs/benchmarks.md, section freshness.\n");
    return b.toString();
  }

  private static void deleteQuietly(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception e) {
      // a temporary folder
    }
  }
}
