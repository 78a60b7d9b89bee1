package io.featurepipe.benchmarks.offline;

import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import com.google.cloud.bigtable.data.v2.models.Query;
import com.google.cloud.bigtable.data.v2.models.Row;
import com.google.cloud.bigtable.data.v2.models.TableId;
import io.featurepipe.benchmarks.BenchmarkSuite;
import io.featurepipe.benchmarks.LocalFlinkStream;
import io.featurepipe.benchmarks.Machine;
import io.featurepipe.pipelines.ingest.kafka.EmbeddedKafka;
import io.featurepipe.pipelines.ingest.kafka.ReadKafka;
import io.featurepipe.pipelines.stream.StreamFeatures;
import io.featurepipe.pipelines.stream.StreamInputs;
import io.featurepipe.pipelines.stream.StreamStart;
import io.featurepipe.runners.flink.FlinkDefaults;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.EmbeddedBigtable;
import io.featurepipe.sinks.online.OnlineLayout;
import io.featurepipe.sinks.online.PrepareOnlineStore;
import io.featurepipe.sinks.online.StoreMetadata;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.BufferedReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The {@code stream-cost} suite: what the streaming pipeline costs per event, next to the backfill
 * of the same events in the same run (capacity plan A5, docs/capacity-plan.md).
 *
 * <p>The offline benchmark's payments (its features, {@link BenchFeatures}; at scale 1 a tenth of
 * its users, 30 days, about 300,000 events, ending yesterday) are first produced, in the files'
 * arrival order, into an in-process Kafka topic. Then, each timed:
 *
 * <ul>
 *   <li>the <b>backfill</b> of the range on Flink {@code [local]} (as the offline suite's Flink
 *       engine runs it; after one untimed warm-up run); then one untimed stream as a warm-up;
 *   <li>the <b>stream</b>, {@code StreamFeatures} on Flink {@code [local]} in streaming mode with
 *       {@code featurepipe stream}'s Flink defaults, reading the topic from
 *       its start (a stream catching up on a backlog: its throughput, not its latency) into the
 *       bundled Bigtable emulator, until the watermark cell of both groups has reached the last
 *       window end the input's watermark passes;
 *   <li>the same stream with RocksDB state ({@code --stateBackendStoragePath}, with which
 *       featurepipe's defaults choose RocksDB and incremental checkpoints), as in production;
 *   <li>the same stream with operator chaining off ({@code --operatorChaining=false});
 *   <li>the same stream with copies between chained steps ({@code --objectReuse=false}, Beam's
 *       default);
 *   <li>the first again, profiled with Java Flight Recorder (apart: sampling costs CPU of its own);
 *   <li>the one with RocksDB state again, profiled.
 * </ul>
 *
 * A run's CPU time is the process's CPU time over the run less the CPU time of the set-up's threads
 * (alive before the first run: mostly the Kafka broker's); what is left is the suite's thread (it
 * builds and submits the job, then polls the watermark cells every 200 ms), Flink's threads, the
 * Kafka consumers and Bigtable clients of the job, threads of shared pools, and the JVM's own
 * (garbage collection, compilation). The emulator runs in its own process; its CPU time is reported apart
 * (read from {@code /proc}, Linux only), as is the broker's. Properties: {@code
 * benchmarks.stream.users} (overrides the scaled number of users), {@code benchmarks.stream.variants}
 * (the streams to run, in order: {@code defaults,unchained,rocksdb,copying,profiled,rocksdb-profiled}
 * by default).
 */
public final class StreamCostSuite implements BenchmarkSuite {
  static final int USERS = 1_000;
  static final int DAYS = 30;
  static final int MERCHANTS = 200;
  static final int PARTITIONS = 2;
  static final String TOPIC = "payments";
  static final Duration LIMIT = Duration.ofMinutes(20);
  private static final Pattern EVENT_TIME = Pattern.compile("\"event_time\"\\s*:\\s*\"([^\"]+)\"");

  @Override
  public String name() {
    return "stream-cost";
  }

  @Override
  public String description() {
    return "stream CPU per event (Flink [local], Kafka backlog -> Bigtable emulator) vs the backfill of the same events";
  }

  /** How long each run's start watches the process idle, per look. */
  static final long IDLE_MILLIS = 2_000L;
  /** Below this many cores busy (the set-up's threads left out) the process counts as settled. */
  static final double IDLE_CPU = 0.2;
  /** The longest a run's start waits for the process to settle. */
  static final long SETTLE_MILLIS = 60_000L;

  /**
   * What a timed run cost: wall time; CPU time of the process less that of the set-up's threads
   * ({@code others}: the Kafka broker's, alive before the first run); the emulator's CPU time (NaN
   * where it cannot be read); the CPU the process spent per second just before; the JIT compilers'
   * and the collectors' time during the run.
   *
   * <p>Only the set-up's threads are left out, not every thread alive when a run starts: threads an
   * earlier run started and left alive (pools shared in the JVM, such as gRPC's executor) may do
   * the next runs' work too (measured: a few CPU-s per run).
   */
  record Cost(double seconds, double cpuSeconds, double otherCpuSeconds, double emulatorCpuSeconds, double idleBefore,
      double compileSeconds, double gcSeconds) {
    /**
     * A run being timed; {@code threads}: the CPU time so far of the set-up's threads still alive;
     * {@code idleBefore}: the CPU the process spent per second, the set-up's threads left out, in the
     * seconds before (what earlier runs left running would add to this one); {@code compile0},
     * {@code gc0}: the JIT compilers' and the garbage collectors' time so far (ms).
     */
    record Start(Map<Long, Long> threads, long cpu, long emulator, long t0, int port, double idleBefore, long compile0, long gc0) {
      Cost end() {
        long wall = System.nanoTime() - t0;
        long all = Measured.processCpuNanos() - cpu;
        long emulatorNow = EmulatorCpu.nanos(port);
        long others = 0;
        for (Map.Entry<Long, Long> e : threadCpu().entrySet()) {
          Long b = threads.get(e.getKey());
          if (b != null) {
            others += e.getValue() - b;
          }
        }
        return new Cost(wall / 1e9, (all - others) / 1e9, others / 1e9,
            emulator < 0 || emulatorNow < 0 ? Double.NaN : (emulatorNow - emulator) / 1e9, idleBefore,
            (compileMillis() - compile0) / 1e3, (Measured.totalGcMillis() - gc0) / 1e3);
      }
    }

    /**
     * Starts timing after a full GC, once the process has settled: it waits (up to {@link
     * #SETTLE_MILLIS}) until a {@link #IDLE_MILLIS} interval passes with the process, the set-up's
     * threads left out, below {@link #IDLE_CPU} cores, so that what an earlier run left finishing
     * (a cancelled job shutting down, compilation) is not charged to this one. {@code setUp}: the
     * ids of the set-up's threads ({@link #liveThreads}).
     */
    static Start start(int emulatorPort, Set<Long> setUp) throws InterruptedException {
      System.gc();
      long deadline = System.nanoTime() + SETTLE_MILLIS * 1_000_000L;
      double idleCores;
      do {
        Start idle = new Start(setUpCpu(setUp), Measured.processCpuNanos(), -1, System.nanoTime(), emulatorPort, 0, 0, 0);
        Thread.sleep(IDLE_MILLIS);
        Cost idled = idle.end();
        idleCores = idled.cpuSeconds() / idled.seconds();
      } while (idleCores >= IDLE_CPU && System.nanoTime() < deadline);
      return new Start(setUpCpu(setUp), Measured.processCpuNanos(), EmulatorCpu.nanos(emulatorPort), System.nanoTime(), emulatorPort,
          idleCores, compileMillis(), Measured.totalGcMillis());
    }

    /** The JIT compilers' accumulated time (ms), 0 where the JVM does not tell. */
    private static long compileMillis() {
      java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
      return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    private static Map<Long, Long> setUpCpu(Set<Long> setUp) {
      Map<Long, Long> threads = threadCpu();
      threads.keySet().retainAll(setUp);
      return threads;
    }

    /** The ids of the live threads but the calling one. */
    static Set<Long> liveThreads() {
      return Set.copyOf(threadCpu().keySet());
    }

    /**
     * CPU nanoseconds of every live thread by id but the calling one (which builds and submits the
     * job: the job's work).
     */
    private static Map<Long, Long> threadCpu() {
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      Map<Long, Long> out = new HashMap<>();
      long self = Thread.currentThread().getId();
      for (long id : threads.getAllThreadIds()) {
        if (id == self) {
          continue;
        }
        long t = threads.getThreadCpuTime(id);
        if (t >= 0) {
          out.put(id, t);
        }
      }
      return out;
    }
  }

  /** One timed stream: its cost, the feature cells it wrote, its dead-letter lines, its profile (or null). */
  record StreamRun(String label, Cost cost, long cells, long deadLetterLines, CpuProfile.Breakdown profile) {}

  @Override
  public String run(Context context) throws Exception {
    int users = Integer.getInteger("benchmarks.stream.users", (int) context.scaled(USERS));
    List<String> variants = variants();
    LocalDate start = LocalDate.now(ZoneOffset.UTC).minusDays(DAYS + 1L);
    Path work = Files.createTempDirectory("featurepipe-bench-stream-");
    try {
      log("generating " + users + " users x " + DAYS + " days from " + start);
      OfflineWorkload w = OfflineWorkload.generate("stream", work.resolve("data"), start, users, DAYS, MERCHANTS, 1);
      FeatureRepository streamRepo = RepositoryLoader.load(Map.of("benchmark.yaml", streamRepositoryYaml()));
      FeaturepipeEngine flink = FeaturepipeEngine.flink(context.machine().cores());
      try (EmbeddedBigtable bigtable = EmbeddedBigtable.start(); EmbeddedKafka kafka = EmbeddedKafka.start()) {
        kafka.createTopic(TOPIC, PARTITIONS);
        long[] produced = produce(kafka.bootstrapServers(), w);
        Set<Long> setUp = Cost.liveThreads(); // the broker's, the producer's leftovers: not the runs' work
        log("produced " + produced[0] + " payments into " + TOPIC + ", last event time " + Instant.ofEpochMilli(produced[1]));
        log("backfill on Flink, warm-up (untimed)");
        flink.backfill(w, work.resolve("warm-up"));
        log("backfill on Flink, timed");
        Cost.Start b0 = Cost.start(bigtable.port(), setUp);
        long rows = flink.backfill(w, work.resolve("offline"));
        Cost backfill = b0.end();
        log(String.format(Locale.ROOT, "backfill: %.1f s, %.1f CPU-s (others %.1f), %,d rows", backfill.seconds(),
            backfill.cpuSeconds(), backfill.otherCpuSeconds(), rows));
        // the offline suite times its Flink runs under JFR (for its profile): what that costs
        log("backfill on Flink, timed under JFR");
        Cost.Start p0 = Cost.start(bigtable.port(), setUp);
        CpuProfile jfr = CpuProfile.start(work.resolve("backfill.jfr"));
        flink.backfill(w, work.resolve("offline-profiled"));
        Cost backfillProfiled = p0.end();
        jfr.stop();
        jfr.breakdown();
        log(String.format(Locale.ROOT, "backfill under JFR: %.1f s, %.1f CPU-s", backfillProfiled.seconds(), backfillProfiled.cpuSeconds()));
        long lastE = lastWindowEnd(streamRepo, produced[1]);
        List<StreamRun> streams = new ArrayList<>();
        // The first stream of a JVM costs far more than the next ones (measured: 446 CPU-s, then
        // 144, 186 and 105 for the same work), so one untimed stream warms up the stream's code.
        log("warm-up stream (untimed)");
        stream("warm-up", o -> {}, streamRepo, w, bigtable, kafka, work, lastE, 0, setUp, false);
        int n = 0;
        for (String variant : variants) {
          n++;
          Path checkpoints = work.resolve("stream" + n).resolve("checkpoints");
          switch (variant) {
            case "defaults" -> streams.add(stream(
                "stream, `featurepipe stream`'s Flink defaults (operator chaining on, reads rebalanced, no copies between chained steps), heap state",
                o -> {}, streamRepo, w, bigtable, kafka, work, lastE, n, setUp, false));
            case "rocksdb" -> streams.add(stream(
                "stream, the defaults with RocksDB state (`--stateBackendStoragePath`: incremental checkpoints)",
                o -> o.setStateBackendStoragePath(checkpoints.toUri().toString()),
                streamRepo, w, bigtable, kafka, work, lastE, n, setUp, false));
            case "unchained" -> streams.add(stream(
                "stream, operator chaining off (`--operatorChaining=false`), heap state",
                o -> o.setOperatorChaining(false), streamRepo, w, bigtable, kafka, work, lastE, n, setUp, false));
            case "copying" -> streams.add(stream(
                "stream, chained steps pass copies (`--objectReuse=false`, Beam's default), heap state",
                o -> o.setObjectReuse(false), streamRepo, w, bigtable, kafka, work, lastE, n, setUp, false));
            // profiled apart: sampling many threads costs CPU of its own
            case "profiled" -> streams.add(stream(
                "stream, the defaults, heap state, profiled (JFR)", o -> {}, streamRepo, w, bigtable, kafka, work, lastE, n, setUp, true));
            case "rocksdb-profiled" -> streams.add(stream(
                "stream, the defaults with RocksDB state, profiled (JFR)",
                o -> o.setStateBackendStoragePath(checkpoints.toUri().toString()),
                streamRepo, w, bigtable, kafka, work, lastE, n, setUp, true));
            default -> throw new IllegalStateException("not a run: " + variant);
          }
        }
        return section(context, w, backfill, backfillProfiled, rows, streams, lastE);
      }
    } finally {
      OfflineSuite.delete(work);
    }
  }

  static final List<String> VARIANTS = List.of("defaults", "unchained", "rocksdb", "copying", "profiled", "rocksdb-profiled");

  /**
   * The JVM options this run was given when they set the suite's properties (the heap and every
   * {@code -Dbenchmarks.*}), as {@code FEATUREPIPE_BENCH_JAVA_OPTS} to repeat; empty otherwise.
   */
  static String commandProperties() {
    List<String> given = ManagementFactory.getRuntimeMXBean().getInputArguments();
    if (given.stream().noneMatch(a -> a.startsWith("-Dbenchmarks.stream."))) {
      return "";
    }
    List<String> repeat = given.stream()
        .filter(a -> a.startsWith("-Xmx") || a.startsWith("-Dbenchmarks."))
        .toList();
    return "FEATUREPIPE_BENCH_JAVA_OPTS=\"" + String.join(" ", repeat) + "\" ";
  }

  /** The streams to run, in order: {@code -Dbenchmarks.stream.variants} (default all six); checked up front. */
  static List<String> variants() {
    String v = System.getProperty("benchmarks.stream.variants", String.join(",", VARIANTS));
    List<String> out = List.of(v.trim().split("\\s*,\\s*"));
    for (String variant : out) {
      if (!VARIANTS.contains(variant)) {
        throw new IllegalArgumentException(
            "benchmarks.stream.variants: unknown run '" + variant + "' (" + String.join(", ", VARIANTS) + ")");
      }
    }
    return out;
  }

  /** The benchmark's repository with the payments also on Kafka and both groups online. */
  static String streamRepositoryYaml() {
    String yaml = BenchFeatures.repositoryYaml();
    String bounded = "bounded: {path: \"payments/{date}.jsonl\"}\n";
    if (!yaml.contains(bounded) || !yaml.contains("online: false\n")) {
      throw new IllegalStateException("BenchFeatures.repositoryYaml() changed: update " + StreamCostSuite.class.getSimpleName());
    }
    return yaml.replace(bounded, bounded + "unbounded: {kafka: {bootstrap: \"localhost:1\", topic: " + TOPIC + "}}\n")
        .replace("online: false\n", "online: true\n");
  }

  /**
   * Sends every payment line, file by file in date order and in each file's (arrival) order, round
   * robin over the partitions; {count, largest event time in ms}.
   */
  static long[] produce(String bootstrap, OfflineWorkload w) throws Exception {
    long n = 0;
    long latest = Long.MIN_VALUE;
    AtomicReference<Exception> failure = new AtomicReference<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(w.paymentsDir())) {
      files = s.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList();
    }
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "1",
            ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (Path f : files) {
        try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            Matcher m = EVENT_TIME.matcher(line);
            if (!m.find()) {
              throw new IllegalStateException(f + ": a payment without event_time: " + line);
            }
            long ts = Instant.parse(m.group(1)).toEpochMilli();
            latest = Math.max(latest, ts);
            producer.send(new ProducerRecord<>(TOPIC, (int) (n % PARTITIONS), ts, null, line.getBytes(StandardCharsets.UTF_8)),
                (meta, e) -> {
                  if (e != null) {
                    failure.compareAndSet(null, e);
                  }
                });
            n++;
          }
        }
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("producing the payments failed: " + failure.get().getMessage(), failure.get());
    }
    return new long[] {n, latest};
  }

  /**
   * The last window end both groups' watermark cells reach once the whole topic is read: the
   * input's watermark ends at the latest event time less the watermark delay; one hop of slack.
   */
  static long lastWindowEnd(FeatureRepository repo, long latestEventMillis) {
    long delay = repo.source("payments").watermarkDelay().toMillis();
    long hop = BenchFeatures.HOP_MILLIS;
    return Math.floorDiv(latestEventMillis - delay, hop) * hop - hop;
  }

  /**
   * One stream; {@code variant} sets what differs from {@code featurepipe stream}'s Flink defaults
   * on the options before the defaults fill in the rest (what it sets wins, as on the command line).
   */
  private static StreamRun stream(String label, Consumer<FlinkPipelineOptions> variant, FeatureRepository repo, OfflineWorkload w,
      EmbeddedBigtable bigtable, EmbeddedKafka kafka, Path work, long lastE, int n, Set<Long> setUp, boolean profiled)
      throws Exception {
    log(label + ": until the watermark cells reach " + Instant.ofEpochMilli(lastE));
    BigtableTarget target = BigtableTarget.parse("bench/bench/stream" + n).withEmulator(bigtable.hostPort());
    PrepareOnlineStore.of(target, repo).prepare();
    Path dir = work.resolve("stream" + n);
    FlinkPipelineOptions options = LocalFlinkStream.options("featurepipe-stream-cost-" + n);
    variant.accept(options);
    FlinkDefaults.apply(options); // as `featurepipe stream` runs on Flink
    StreamInputs inputs = StreamInputs.defaults()
        .withKafkaBootstrap(kafka.bootstrapServers())
        .withStart(ReadKafka.Start.EARLIEST)
        .withGroupIdPrefix("stream-cost-" + n);
    StreamFeatures.Spec spec =
        StreamFeatures.Spec.of(repo, target, StreamStart.of(w.start().atStartOfDay(ZoneOffset.UTC).toInstant()),
                dir.resolve("dead-letters").toString())
            .withInputs(inputs)
            .withAlertRoot(dir.resolve("alerts").toString());

    Cost.Start c0 = Cost.start(bigtable.port(), setUp);
    CpuProfile profile = profiled ? CpuProfile.start(work.resolve("stream" + n + ".jfr")) : null;
    Pipeline p = Pipeline.create(options);
    StreamFeatures.build(p, spec);
    PipelineResult job = p.run();
    try (BigtableDataClient client = BigtableDataClient.create(target.dataSettings())) {
      awaitWatermarks(client, target.table(), repo, lastE, c0.t0());
    }
    Cost cost = c0.end();
    if (profile != null) {
      profile.stop();
    }
    try {
      job.cancel();
    } catch (Exception e) {
      // a detached [local] mini-cluster may be gone already
    }
    long cells = cells(target, repo, w, lastE);
    long dead = deadLetterLines(dir.resolve("dead-letters"));
    log(String.format(Locale.ROOT,
        "%s: %.1f s, %.1f CPU-s (JIT %.1f s, GC %.1f s; others %.1f), emulator %.1f CPU-s, %,d cells, %,d dead-letter lines",
        label, cost.seconds(), cost.cpuSeconds(), cost.compileSeconds(), cost.gcSeconds(), cost.otherCpuSeconds(),
        cost.emulatorCpuSeconds(), cells, dead));
    return new StreamRun(label, cost, cells, dead, profile == null ? null : profile.breakdown(c0.threads().keySet()));
  }

  /** Waits until both groups' watermark cells reach {@code lastE}. */
  private static void awaitWatermarks(BigtableDataClient client, String table, FeatureRepository repo, long lastE, long t0)
      throws InterruptedException {
    List<FeatureGroupDef> groups = new ArrayList<>(repo.allGroups());
    long deadline = t0 + LIMIT.toNanos();
    long lastLog = System.nanoTime();
    while (true) {
      long m = Long.MAX_VALUE;
      for (StoreMetadata.GroupState s : StoreMetadata.read(client, table, groups).values()) {
        m = Math.min(m, s.watermarkMillis() == null ? Long.MIN_VALUE : s.watermarkMillis());
      }
      if (m >= lastE) {
        return;
      }
      long now = System.nanoTime();
      if (now > deadline) {
        throw new IllegalStateException("the stream's watermark cells did not reach " + Instant.ofEpochMilli(lastE) + " within "
            + LIMIT + " (at " + (m == Long.MIN_VALUE ? "none" : Instant.ofEpochMilli(m)) + ")");
      }
      if (now - lastLog > 30_000_000_000L) {
        log("  watermark cells at " + (m == Long.MIN_VALUE ? "none yet" : Instant.ofEpochMilli(m)));
        lastLog = now;
      }
      Thread.sleep(200);
    }
  }

  /** Feature cells the stream wrote (window ends up to {@code lastE}). */
  private static long cells(BigtableTarget target, FeatureRepository repo, OfflineWorkload w, long lastE) throws Exception {
    List<String> families = repo.allGroups().stream().map(OnlineLayout::family).toList();
    long n = 0;
    try (BigtableDataClient client = BigtableDataClient.create(target.dataSettings())) {
      for (Row row : client.readRows(Query.create(TableId.of(target.table())))) {
        for (String f : families) {
          n += row.getCells(f).stream().filter(c -> c.getTimestamp() / 1000 <= lastE).count();
        }
      }
    }
    return n;
  }

  /** Lines of the dead-letter files written so far (the benchmark's data should give none). */
  private static long deadLetterLines(Path root) throws Exception {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    long n = 0;
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).toList()) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          if (n++ < 5) {
            log("  dead letter: " + (line.length() > 400 ? line.substring(0, 400) + "..." : line));
          }
        }
      }
    }
    return n;
  }

  /** CPU time of the emulator's process, found by its port in {@code /proc}; -1 where that is not possible. */
  static final class EmulatorCpu {
    private EmulatorCpu() {}

    static long nanos(int port) {
      Path proc = Path.of("/proc");
      if (!Files.isDirectory(proc)) {
        return -1;
      }
      try (Stream<Path> pids = Files.list(proc)) {
        for (Path pid : pids.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
          String cmd;
          try {
            cmd = new String(Files.readAllBytes(pid.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
          } catch (Exception gone) {
            continue;
          }
          if (cmd.contains("emulator") && cmd.contains(Integer.toString(port))) {
            String stat = Files.readString(pid.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
            return ticks * 10_000_000L; // USER_HZ 100
          }
        }
      } catch (Exception e) {
        return -1;
      }
      return -1;
    }
  }

  private static String section(Context context, OfflineWorkload w, Cost backfill, Cost backfillProfiled, long backfillRows, List<StreamRun> streams, long lastE) {
    Machine m = context.machine();
    StringBuilder b = new StringBuilder();
    b.append("## stream-cost: stream CPU per event against the backfill's (capacity plan A5)\n\n");
    b.append(String.format("Machine: %s, %d cores, %d GiB, %s, %s, commit %s, %s.%n%n",
        m.cpu(), m.cores(), m.memoryGiB(), m.java(), m.os(), m.commit(), m.at()));
    b.append(String.format(Locale.ROOT, "Command: `%s./benchmarks/run stream-cost --scale %.2f` (docs/benchmarks.md).%n%n",
        commandProperties(), context.scale()));
    b.append(String.format(Locale.ROOT,
        "Data: the offline suite's payments and features (2 groups, hop 1 h, windows 1 h / 1 d / 7 d): %,d payments"
            + " (%,d users, %d merchants, %d days from %s, %,d with an amount), produced in the files' arrival order into an"
            + " in-process Kafka topic (%d partitions) before the runs. The backfill runs on Flink `[local]` p=%d (one untimed"
            + " warm-up before); one untimed stream warms up the stream's code (the first stream of a JVM costs far more); each stream runs `StreamFeatures` on Flink `[local]` p=2 in streaming mode from the topic's"
            + " start (a backlog: throughput, not latency) into the bundled Bigtable emulator, from when the job is submitted"
            + " until both groups' watermark cells reach %s (the last window end the input's watermark passes, less one"
            + " hop). The stream owns the window ends from its start plus 7 days and 1 hour (DESIGN §3) and writes only"
            + " changed values, so it writes fewer rows than the backfill but computes every window.%n%n",
        w.events(), w.users(), w.merchants(), w.days(), w.start(), w.eventsWithAmount(), PARTITIONS,
        context.machine().cores(), Instant.ofEpochMilli(lastE)));
    b.append("| run | wall (s) | CPU (s) | of which JIT compiling (s) | GC (s) | events/CPU-s | CPU per event, × the backfill's | written | emulator CPU (s) | set-up threads' CPU (s): broker | idle CPU just before (CPU-s per s) |\n");
    b.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    b.append(row("backfill (baseline): `Backfill` on Flink `[local]`, Avro partitions published", backfill, w.events(), backfill,
        String.format(Locale.ROOT, "%,d rows", backfillRows)));
    b.append(row("backfill again under Java Flight Recorder (as the offline suite times its Flink runs, for their profile)",
        backfillProfiled, w.events(), backfill, String.format(Locale.ROOT, "%,d rows", backfillRows)));
    for (StreamRun r : streams) {
      b.append(row(r.label(), r.cost(), w.events(), backfill, String.format(Locale.ROOT, "%,d cells", r.cells())));
    }
    b.append('\n');
    long dead = streams.stream().mapToLong(StreamRun::deadLetterLines).sum();
    b.append(String.format(Locale.ROOT,
        "Dead letters written by the streams: %,d lines (late or bad events; the data has no bad ones).%n%n", dead));
    for (StreamRun r : streams) {
      if (r.profile() != null) {
        profile(b, r);
      }
    }
    b.append("Method: the stream's CPU is the process's CPU time over the run less that of the set-up's threads (alive before"
        + " the first run: mostly the Kafka broker's, second-last column); the suite's thread that builds and submits the job"
        + " and polls the watermark cells every 200 ms, Flink's task threads, the job's Kafka consumers and Bigtable clients,"
        + " threads earlier runs started and left alive (shared pools), and the JVM's garbage collection and compilation remain."
        + String.format(Locale.ROOT, " Before each run the suite waits (up to %d s) until the process, the set-up's threads left out, spends less than"
            + " %.1f cores over %d s, so that what an earlier run left finishing is not charged to this one; the last column is"
            + " the last such look.", SETTLE_MILLIS / 1000, IDLE_CPU, IDLE_MILLIS / 1000)
        + " JIT compiling: the compile time summed over the JVM's compiler threads during the run (`CompilationMXBean`:"
        + " elapsed, so an upper bound of their CPU, which is part of the run's); GC: the collectors' time (`GarbageCollectorMXBean`). The emulator's CPU (its own process, from"
        + " /proc) is the store's work and is not in the stream's. The backfill is measured the same way (the broker idles beside it)."
        + " See docs/benchmarks.md, section stream-cost, and docs/capacity-plan.md, A5.\n");
    return b.toString();
  }

  /** Where a stream's CPU went: JFR execution samples of its threads, by step and by part of the code. */
  private static void profile(StringBuilder b, StreamRun r) {
    CpuProfile.Breakdown p = r.profile();
    b.append(String.format(Locale.ROOT, "Where the CPU of the %s goes (Java Flight Recorder, %,d execution samples of its"
        + " threads, every 10 ms, the broker's threads left out: %.0f s of Java code against the %.1f CPU-s measured; the rest"
        + " is garbage collection, compilation and native code, which these samples do not see):%n%n",
        r.label().replace("stream, ", "stream with "), p.samples(), p.samples() / 100.0, r.cost().cpuSeconds()));
    b.append("| step (innermost DoFn) | share |\n|---|---|\n");
    int shown = 0;
    for (Map.Entry<String, Long> e : p.byStep().entrySet()) {
      if (shown++ == 15) {
        break;
      }
      b.append(String.format(Locale.ROOT, "| %s | %.0f%% |%n", e.getKey(), p.share(e.getValue())));
    }
    b.append("\n| part of the code (first known frame from the top) | share |\n|---|---|\n");
    for (Map.Entry<String, Long> e : p.byPart().entrySet()) {
      b.append(String.format(Locale.ROOT, "| %s | %.0f%% |%n", e.getKey(), p.share(e.getValue())));
    }
    b.append("\nHottest methods (top frame): ");
    List<String> hot = new ArrayList<>();
    p.hottest().forEach((m, n) -> hot.add(String.format(Locale.ROOT, "`%s` %.1f%%", m, p.share(n))));
    b.append(String.join(", ", hot)).append(".\n\n");
  }

  private static String row(String label, Cost c, long events, Cost backfill, String written) {
    return String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %,.0f | %.2f | %s | %s | %.1f | %.2f |%n",
        label, c.seconds(), c.cpuSeconds(), c.compileSeconds(), c.gcSeconds(), events / c.cpuSeconds(),
        c.cpuSeconds() / backfill.cpuSeconds(), written,
        Double.isNaN(c.emulatorCpuSeconds()) ? "n/a" : String.format(Locale.ROOT, "%.1f", c.emulatorCpuSeconds()),
        c.otherCpuSeconds(), c.idleBefore());
  }

  private static void log(String message) {
    System.err.println("stream-cost: " + message);
  }
}
