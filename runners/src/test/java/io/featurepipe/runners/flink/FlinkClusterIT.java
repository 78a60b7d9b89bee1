package io.featurepipe.runners.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.backfill.Backfill;
import io.featurepipe.pipelines.stream.StreamFeatures;
import io.featurepipe.pipelines.stream.StreamInputs;
import io.featurepipe.pipelines.stream.StreamStart;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.EmbeddedBigtable;
import io.featurepipe.sinks.offline.OfflineStore;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar against a real Flink cluster: a JobManager and a TaskManager started as their own
 * processes from {@code featurepipe.jar} (standalone session mode, as Flink's own scripts start
 * them, with the configuration in a {@code flink-conf.yaml}), and a backfill submitted to it the
 * two ways docs/flink.md gives: {@code flink run -c io.featurepipe.runners.FeaturepipeCli
 * featurepipe.jar backfill ...} (Flink's own client, {@code CliFrontend}) and {@code java -jar
 * featurepipe.jar backfill ... --runner=FlinkRunner --flinkMaster=host:port}. Each job finishes on
 * the cluster and publishes the rows a DirectRunner backfill of the same days publishes. A stream
 * submitted detached runs there too and writes the cells a bounded replay writes.
 */
class FlinkClusterIT {
  private static final Path JAR = Path.of("target/featurepipe.jar").toAbsolutePath();
  private static final Path DEFS = Path.of("../feature-defs/payments").toAbsolutePath().normalize();
  private static final Path DATA = Path.of("../test-data/sample").toAbsolutePath().normalize();
  private static final LocalDate DAY = LocalDate.of(2026, 1, 14);
  private static final List<String> GROUPS = List.of("user_logins");
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

  @TempDir static Path dir;
  private static final List<Process> cluster = new ArrayList<>();
  private static int restPort;
  /** The cluster start attempt (its processes' log files carry the number). */
  private static int attempt;
  private static Map<String, String> expected;

  @BeforeAll
  static void startCluster() throws Exception {
    // a port found free can be taken before the cluster binds it (by another process, or by the
    // TaskManager's own ports, bound while the JobManager starts): a start that lost such a race
    // is tried again on new ports, three attempts in all, each with its own logs
    for (attempt = 1; ; attempt++) {
      String failure = tryStartCluster();
      if (failure == null) {
        break;
      }
      stopCluster();
      assertTrue(attempt < 3 && failure.contains("BindException"), "the cluster did not start: " + failure);
      System.err.println("FlinkClusterIT: cluster start " + attempt + " lost a port race, trying new ports: " + failure);
    }
    expected = directBackfill();
  }

  /** Starts a JobManager and a TaskManager; null once the cluster offers 2 slots, else its logs. */
  private static String tryStartCluster() throws Exception {
    int[] ports = freePorts(2);
    restPort = ports[0];
    Path conf = Files.createDirectories(dir.resolve("conf"));
    // what Flink's start scripts would compute from taskmanager.memory.process.size, given outright
    Files.writeString(conf.resolve("flink-conf.yaml"), String.join("\n",
        "jobmanager.rpc.address: localhost",
        "jobmanager.rpc.port: " + ports[1],
        "jobmanager.bind-host: localhost",
        "jobmanager.memory.process.size: 1200m",
        "rest.address: localhost",
        "rest.bind-address: localhost",
        "rest.port: " + restPort,
        "taskmanager.host: localhost",
        "taskmanager.bind-host: localhost",
        "taskmanager.numberOfTaskSlots: 2",
        "taskmanager.cpu.cores: 2",
        "taskmanager.memory.framework.heap.size: 128m",
        "taskmanager.memory.task.heap.size: 640m",
        "taskmanager.memory.framework.off-heap.size: 128m",
        "taskmanager.memory.task.off-heap.size: 0m",
        "taskmanager.memory.managed.size: 128m",
        "taskmanager.memory.network.min: 256m",
        "taskmanager.memory.network.max: 256m",
        "taskmanager.memory.jvm-metaspace.size: 256m",
        "taskmanager.memory.jvm-overhead.min: 192m",
        "taskmanager.memory.jvm-overhead.max: 192m",
        "parallelism.default: 2",
        // docs/flink.md: batch jobs on the DataStream API run every step at the job's parallelism
        FlinkDefaults.BATCH_CONFIGURATION,
        ""));
    cluster.add(start("jobmanager", "-Xmx800m", "-cp", JAR.toString(),
        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", "--configDir", conf.toString()));
    cluster.add(start("taskmanager", "-Xmx800m", "-XX:MaxDirectMemorySize=400m", "-cp", JAR.toString(),
        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", "--configDir", conf.toString()));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (overview("slots-total") < 2) {
      if (System.nanoTime() >= deadline) {
        return "it did not come up in 90 s: " + logs();
      }
      for (Process p : cluster) {
        if (!p.isAlive()) {
          return "a cluster process ended: " + logs();
        }
      }
      Thread.sleep(500);
    }
    return null;
  }

  @AfterAll
  static void stopCluster() throws InterruptedException {
    for (Process p : cluster) {
      p.destroy();
    }
    for (Process p : cluster) {
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    cluster.clear();
  }

  @Test
  void flinkRunSubmitsTheShadedJarsBackfill() throws Exception {
    long finished = overview("jobs-finished");
    Set<String> before = jobIds();
    Path offline = dir.resolve("flink-run");
    ProcessBuilder b = new ProcessBuilder(JAVA.toString(), "-Xmx1g", "-cp", JAR.toString(),
        "org.apache.flink.client.cli.CliFrontend", "run", "-m", "localhost:" + restPort,
        "-c", "io.featurepipe.runners.FeaturepipeCli", JAR.toString(),
        "backfill", DEFS.toString(), "--data-root=" + DATA, "--from=" + DAY, "--to=" + DAY,
        "--groups=" + String.join(",", GROUPS), "--offline-root=" + offline, "--no-validation",
        "--runner=FlinkRunner", "--parallelism=2");
    b.environment().put("FLINK_CONF_DIR", dir.resolve("conf").toString());
    String out = run(b, "flink-run");
    assertTrue(out.contains("rows in 1 partitions"), out);
    assertEquals(finished + 1, overview("jobs-finished"), "the job finished on the cluster\n" + out);
    assertEquals(expected, rows(offline), "the rows of the cluster's backfill");
    assertRanOnDataStreamAtParallelism2(before);
  }

  @Test
  void flinkMasterSubmitsToTheCluster() throws Exception {
    long finished = overview("jobs-finished");
    Set<String> before = jobIds();
    Path offline = dir.resolve("flink-master");
    String out = run(new ProcessBuilder(JAVA.toString(), "-Xmx1g", "-jar", JAR.toString(),
        "backfill", DEFS.toString(), "--data-root=" + DATA, "--from=" + DAY, "--to=" + DAY,
        "--groups=" + String.join(",", GROUPS), "--offline-root=" + offline, "--no-validation",
        "--runner=FlinkRunner", "--flinkMaster=localhost:" + restPort, "--parallelism=2"), "flink-master");
    assertTrue(out.contains("runner FlinkRunner"), out);
    assertEquals(finished + 1, overview("jobs-finished"), "the job finished on the cluster\n" + out);
    assertEquals(expected, rows(offline), "the rows of the cluster's backfill");
    assertRanOnDataStreamAtParallelism2(before);
  }

  /**
   * A stream submitted detached ({@code --attachedMode=false}: the command ends once the job runs),
   * reading a watched folder into the emulator: once its watermark cell has passed the input, its
   * cells equal those of a bounded replay of the same events on the DirectRunner in this JVM (up to
   * the stream's watermark; the replay also writes the window ends after it).
   */
  @Test
  void aDetachedStreamWritesTheCellsOfABoundedReplay() throws Exception {
    try (EmbeddedBigtable bigtable = EmbeddedBigtable.start()) {
      Path defs = dir.resolve("clicks-defs");
      FeatureRepository repo = Clicks.repository(defs, null);
      Path data = dir.resolve("clicks-data");
      Clicks.drop(data.resolve("incoming"), "part-1.csv", 0, Clicks.EVENTS / 2);
      Clicks.drop(data.resolve("incoming"), "part-2.csv", Clicks.EVENTS / 2, Clicks.EVENTS);
      BigtableTarget onCluster = Clicks.table(bigtable, repo, "on-cluster");
      String out = run(new ProcessBuilder(JAVA.toString(), "-Xmx1g", "-jar", JAR.toString(),
          "stream", defs.toString(), "--bigtable-emulator=" + bigtable.hostPort(), "--bigtable=test-project/test-instance/on-cluster",
          "--since=" + Clicks.T0, "--data-root=" + data, "--dead-letters=" + dir.resolve("stream-dead-letters"),
          "--runner=FlinkRunner", "--flinkMaster=localhost:" + restPort, "--parallelism=2", "--attachedMode=false",
          "--checkpointingInterval=5000", "--jobName=clicks-on-cluster"), "stream");
      try {
        assertTrue(out.contains("job clicks-on-cluster submitted to localhost:" + restPort + ", detached"), out);
        Clicks.await("the stream's M at the end of its input", () -> {
          Long m = Clicks.watermark(onCluster, repo, Clicks.GROUP);
          return m != null && m >= Clicks.ALL_DONE;
        });
      } finally {
        // never leave it holding the cluster's slots (the backfill tests need them)
        cancel("clicks-on-cluster");
      }

      BigtableTarget replayed = Clicks.table(bigtable, repo, "replayed");
      DirectOptions options = PipelineOptionsFactory.as(DirectOptions.class);
      options.setRunner(DirectRunner.class);
      Pipeline p = Pipeline.create(options);
      StreamFeatures.build(p,
          StreamFeatures.Spec.of(repo, replayed, StreamStart.of(Clicks.T0), dir.resolve("replay-dead-letters").toString())
              .withInputs(StreamInputs.defaults().withDataRoot(data.toString()).withMaxRecords("clicks", Clicks.EVENTS))
              .withFreshnessInterval(null));
      p.run().waitUntilFinish();
      Map<String, String> expected = featureCellsThrough(Clicks.dump(replayed), Clicks.ALL_DONE);
      assertTrue(expected.size() > 300, "cells: " + expected.size());
      Clicks.assertSameCells(expected, featureCellsThrough(Clicks.dump(onCluster), Clicks.ALL_DONE));
    }
  }

  /** The feature cells of a dump (no {@code _meta}) whose window end is at most {@code millis}. */
  private static Map<String, String> featureCellsThrough(Map<String, String> dump, long millis) {
    Map<String, String> out = new TreeMap<>();
    dump.forEach((cell, value) -> {
      long micros = Long.parseLong(cell.substring(cell.lastIndexOf(" @ ") + 3));
      if (!cell.contains(" | _meta:") && micros <= millis * 1_000) {
        out.put(cell, value);
      }
    });
    return out;
  }

  /** The ids of every job the cluster knows (running or ended). */
  private static Set<String> jobIds() throws Exception {
    String jobs = get("/jobs");
    Set<String> ids = new TreeSet<>();
    Matcher m = Pattern.compile("\"id\":\"([0-9a-f]+)\"").matcher(jobs);
    while (m.find()) {
      ids.add(m.group(1));
    }
    return ids;
  }

  /**
   * The one job submitted since {@code before} ran as featurepipe runs a batch job on Flink: on the
   * DataStream API (its reads are Flink sources, {@code Source: ...}; the DataSet API names them
   * {@code DataSource (...)}), and every step at the job's parallelism (the adaptive batch scheduler
   * would have given the steps fed by a list of file names one subtask).
   */
  private static void assertRanOnDataStreamAtParallelism2(Set<String> before) throws Exception {
    Set<String> added = jobIds();
    added.removeAll(before);
    assertEquals(1, added.size(), "jobs submitted: " + added);
    String job = get("/jobs/" + added.iterator().next());
    assertTrue(job.contains("\"name\":\"Source: "), job);
    assertFalse(job.contains("DataSource ("), job);
    Matcher m = Pattern.compile("\"parallelism\":(\\d+)").matcher(job);
    int vertices = 0;
    while (m.find()) {
      assertEquals("2", m.group(1), job);
      vertices++;
    }
    assertTrue(vertices > 3, job);
  }

  /** The body of a GET of the cluster's REST API. */
  private static String get(String path) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** Cancels the job of that name through the cluster's REST API, and waits until it is (none: nothing). */
  private static void cancel(String jobName) throws Exception {
    String jobs = get("/jobs/overview");
    Matcher m = Pattern.compile("\"jid\":\"([0-9a-f]+)\",\"name\":\"" + Pattern.quote(jobName) + "\"").matcher(jobs);
    if (!m.find()) {
      return; // never submitted: the test has failed already, nothing to cancel
    }
    String jid = m.group(1);
    HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + "/jobs/" + jid + "?mode=cancel"))
        .method("PATCH", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    Clicks.await("job " + jobName + " cancelled", () -> {
      try {
        return get("/jobs/" + jid).contains("\"state\":\"CANCELED\"");
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** The same backfill on the DirectRunner, in this JVM: its rows by identity. */
  private static Map<String, String> directBackfill() throws Exception {
    FeatureRepository repo = RepositoryLoader.load(DEFS);
    Path offline = dir.resolve("direct");
    DirectOptions options = PipelineOptionsFactory.as(DirectOptions.class);
    options.setRunner(DirectRunner.class);
    options.setEnforceImmutability(false);
    options.setEnforceEncodability(false);
    Pipeline p = Pipeline.create(options);
    Backfill.build(p, new Backfill.Spec(repo, DATA.toString(), DAY, DAY, GROUPS, offline.toString(), "direct", null)
        .withValidation(null));
    p.run().waitUntilFinish();
    Map<String, String> out = rows(offline);
    assertTrue(out.size() > 1_000, "direct rows: " + out.size());
    return out;
  }

  private static Map<String, String> rows(Path offline) throws Exception {
    FeatureRepository repo = RepositoryLoader.load(DEFS);
    Map<String, String> out = new TreeMap<>();
    for (String g : GROUPS) {
      for (FeatureRow r : new OfflineStore(repo, offline.toString()).rows(g, DAY)) {
        out.put(r.identity(), Arrays.deepToString(r.values()));
      }
    }
    return out;
  }

  private static Process start(String name, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(JAVA.toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + "-" + attempt + ".log").toFile())
        .start();
    // a test JVM stopped before @AfterAll (a fork timeout, a stopped build) takes the cluster with it
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "stop-" + name));
    return p;
  }

  /** Runs a client process to its end (up to 5 minutes); its output, asserting exit 0. */
  private static String run(ProcessBuilder b, String name) throws Exception {
    Path log = dir.resolve(name + ".log");
    Process p = b.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean ended = p.waitFor(5, TimeUnit.MINUTES);
    if (!ended) {
      p.destroyForcibly();
    }
    String out = Files.readString(log);
    assertTrue(ended, name + " did not end in 5 minutes:\n" + tail(out));
    assertEquals(0, p.exitValue(), name + " failed:\n" + tail(out) + "\ncluster:\n" + logs());
    return out;
  }

  /** A number from the cluster's REST {@code /overview} (-1 while it does not answer). */
  private static long overview(String field) throws InterruptedException {
    try {
      Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(get("/overview"));
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  private static String logs() {
    StringBuilder b = new StringBuilder();
    for (String name : List.of("jobmanager", "taskmanager")) {
      try {
        b.append("--- ").append(name).append('\n').append(tail(Files.readString(dir.resolve(name + "-" + attempt + ".log"))));
      } catch (IOException e) {
        b.append("--- ").append(name).append(": no log\n");
      }
    }
    return b.toString();
  }

  private static String tail(String text) {
    return text.length() > 6_000 ? "..." + text.substring(text.length() - 6_000) : text;
  }

  /** {@code n} distinct ports free now: every socket is held until all are found. */
  private static int[] freePorts(int n) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        held.add(new ServerSocket(0));
        ports[i] = held.get(i).getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }
}
