package io.featurepipe.runners.flink;

import static io.featurepipe.runners.flink.Clicks.ALL_DONE;
import static io.featurepipe.runners.flink.Clicks.EVENTS;
import static io.featurepipe.runners.flink.Clicks.GROUP;
import static io.featurepipe.runners.flink.Clicks.HALF_DONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.stream.StreamFeatures;
import io.featurepipe.pipelines.stream.StreamInputs;
import io.featurepipe.pipelines.stream.StreamStart;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.EmbeddedBigtable;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream on a Flink cluster (an embedded {@link MiniCluster} reached through its REST address, as
 * {@code --flinkMaster=host:port} reaches a real one) stopped halfway through its input and resumed
 * from its state writes exactly the cells of an uninterrupted run over the same input:
 *
 * <ul>
 *   <li>stopped with a savepoint (not drained), resumed with {@code --savepointPath};
 *   <li>cancelled without one, after a completed checkpoint (incremental RocksDB under {@code
 *       --stateBackendStoragePath}, retained on cancellation by {@link FlinkDefaults}), resumed
 *       from that checkpoint: nothing lost, nothing duplicated visible.
 * </ul>
 *
 * <p>Jobs are submitted with an empty jar to stage: the mini-cluster runs in this JVM and loads
 * the pipeline's classes from the test class path. The input is {@link Clicks}: a watched folder, whose
 * watermark follows only the files read, so "halfway" is exact: every window end up to {@link
 * Clicks#HALF_DONE} is written before the stop, none after {@link Clicks#ALL_DONE}.
 */
class FlinkSavepointIT {
  @TempDir static Path dir;
  static EmbeddedBigtable bigtable;
  static MiniCluster flink;
  static String master;
  static Path stagedJar;
  static FeatureRepository repo;
  private static Map<String, String> uninterrupted;

  @BeforeAll
  static void start() throws Exception {
    bigtable = EmbeddedBigtable.start();
    repo = Clicks.repository(dir.resolve("defs"), null);
    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_PORT, "0");
    conf.set(RestOptions.ADDRESS, "localhost");
    flink = new MiniCluster(new MiniClusterConfiguration.Builder()
        .setConfiguration(conf)
        .setNumTaskManagers(1)
        .setNumSlotsPerTaskManager(2)
        .build());
    flink.start();
    URI rest = flink.getRestAddress().get(30, TimeUnit.SECONDS);
    master = rest.getHost() + ":" + rest.getPort();
    // the cluster runs in this JVM and loads the pipeline's classes from the test class path; with
    // nothing to stage, Beam would stage (zip and upload) the whole class path for every job
    stagedJar = dir.resolve("nothing.jar");
    try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(stagedJar), new Manifest())) {
      jar.flush();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (flink != null) {
      flink.close();
    }
    if (bigtable != null) {
      bigtable.close();
    }
  }

  /** A failed test leaves no job running: the next would find no free slot. */
  @AfterEach
  void cancelRunningJobs() throws Exception {
    for (JobStatusMessage j : jobs()) {
      if (!j.getJobState().isGloballyTerminalState()) {
        flink.cancelJob(j.getJobId()).get(1, TimeUnit.MINUTES);
        awaitStatus(j.getJobId(), JobStatus.CANCELED);
      }
    }
  }

  /** The cells of a run that reads the whole input in one job (computed once). */
  static synchronized Map<String, String> uninterrupted() throws Exception {
    if (uninterrupted == null) {
      Path root = dir.resolve("straight");
      Clicks.drop(root.resolve("incoming"), "part-1.csv", 0, EVENTS / 2);
      Clicks.drop(root.resolve("incoming"), "part-2.csv", EVENTS / 2, EVENTS);
      BigtableTarget target = Clicks.table(bigtable, repo, "straight");
      JobID job = submit(target, root, options(null));
      awaitWatermark(target, ALL_DONE);
      cancel(job);
      Map<String, String> cells = Clicks.dump(target);
      assertTrue(cells.size() > 300, "cells: " + cells.size());
      uninterrupted = cells;
    }
    return uninterrupted;
  }

  @Test
  void stoppedWithASavepointAndResumedWritesTheCellsOfAnUninterruptedRun() throws Exception {
    Map<String, String> expected = uninterrupted();
    Path root = dir.resolve("savepoint");
    BigtableTarget target = Clicks.table(bigtable, repo, "savepoint");
    Clicks.drop(root.resolve("incoming"), "part-1.csv", 0, EVENTS / 2);
    JobID first = submit(target, root, options(null));
    awaitWatermark(target, HALF_DONE);
    String savepoint = stopWithSavepoint(first, root.resolve("savepoints").toUri().toString());
    awaitStatus(first, JobStatus.FINISHED);
    Map<String, String> whenStopped = Clicks.dump(target);
    assertEquals(HALF_DONE, Clicks.watermark(target, repo, GROUP), "M when stopped: the first half only");

    Clicks.drop(root.resolve("incoming"), "part-2.csv", EVENTS / 2, EVENTS);
    JobID second = submit(target, root, options(savepoint));
    awaitWatermark(target, ALL_DONE);
    cancel(second);
    assertAsUninterrupted(expected, target, root, whenStopped, "resumed from " + savepoint);
  }

  @Test
  void cancelledAfterACheckpointAndRestoredFromItWritesTheCellsOfAnUninterruptedRun() throws Exception {
    Map<String, String> expected = uninterrupted();
    Path root = dir.resolve("checkpoint");
    Path checkpoints = root.resolve("checkpoints");
    BigtableTarget target = Clicks.table(bigtable, repo, "checkpoint");
    Clicks.drop(root.resolve("incoming"), "part-1.csv", 0, EVENTS / 2);
    FlinkPipelineOptions withRocksDb = options(null);
    withRocksDb.setStateBackendStoragePath(checkpoints.toUri().toString());
    FlinkDefaults.apply(withRocksDb);
    assertEquals(IncrementalRocksDb.class, withRocksDb.getStateBackendFactory());
    JobID first = submit(target, root, withRocksDb);
    awaitWatermark(target, HALF_DONE);
    // a checkpoint completed after the first half was written (it may also be restored from an
    // earlier one: the replayed rows write the same cells again)
    Path jobCheckpoints = checkpoints.resolve(first.toHexString());
    // only the newest checkpoints are retained: wait for a higher number, not for more of them
    int seen = latestNumber(completedCheckpoints(jobCheckpoints));
    Clicks.await("a checkpoint after M reached the first half", () -> latestNumber(completedCheckpoints(jobCheckpoints)) > seen);
    cancel(first);
    Map<String, String> whenCancelled = Clicks.dump(target);
    List<Path> retained = completedCheckpoints(jobCheckpoints);
    assertTrue(!retained.isEmpty(), "the checkpoints are retained on cancellation");
    Path latest = retained.get(retained.size() - 1);

    Clicks.drop(root.resolve("incoming"), "part-2.csv", EVENTS / 2, EVENTS);
    FlinkPipelineOptions resume = options(latest.toUri().toString());
    resume.setStateBackendStoragePath(checkpoints.toUri().toString());
    FlinkDefaults.apply(resume);
    JobID second = submit(target, root, resume);
    awaitWatermark(target, ALL_DONE);
    cancel(second);
    assertAsUninterrupted(expected, target, root, whenCancelled,
        "restored from " + latest.getFileName() + " (the newest when M reached the first half: chk-" + seen + ")");
  }

  /**
   * Fails unless the table holds the uninterrupted run's cells. A failure also names the cells that
   * differed when the first job stopped and every dead letter of both runs (a lost event is either
   * one of them or lost without trace).
   */
  private static void assertAsUninterrupted(
      Map<String, String> expected, BigtableTarget target, Path root, Map<String, String> whenStopped, String restored)
      throws IOException {
    try {
      Clicks.assertSameCells(expected, Clicks.dump(target));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + restored
          + Clicks.describe(expected, whenStopped, "when the first job stopped")
          + Clicks.deadLetters(root.resolve("dead-letters"))
          + Clicks.deadLetters(dir.resolve("straight").resolve("dead-letters")), e);
    }
  }

  /** The options of a stream on the mini-cluster: streaming, checkpoints every second, detached. */
  static FlinkPipelineOptions options(String savepointPath) {
    FlinkPipelineOptions o = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    o.setRunner(FlinkRunner.class);
    o.setFlinkMaster(master);
    o.setFilesToStage(List.of(stagedJar.toString()));
    o.setParallelism(2);
    o.setStreaming(true);
    o.setAttachedMode(false);
    o.setCheckpointingInterval(1_000L);
    o.setSavepointPath(savepointPath);
    o.setJobName("clicks-" + System.nanoTime());
    FlinkDefaults.apply(o);
    return o;
  }

  /** Builds the stream of {@code user_clicks} from T0 and submits it; returns the new job's id. */
  static JobID submit(BigtableTarget target, Path root, FlinkPipelineOptions options) throws Exception {
    Set<JobID> before = new HashSet<>();
    flink.listJobs().get().forEach(j -> before.add(j.getJobId()));
    Pipeline p = Pipeline.create(options);
    StreamFeatures.Spec spec =
        StreamFeatures.Spec.of(repo, target, StreamStart.of(Clicks.T0), root.resolve("dead-letters").toString())
            .withInputs(StreamInputs.defaults().withDataRoot(root.toString()))
            .withRunId("run-" + System.nanoTime())
            .withDeadLetterFlush(Duration.ofSeconds(1))
            // no periodic reads of the store: fewer tasks on a busy machine (StableStepNamesTest covers those steps' names)
            .withFreshnessInterval(null);
    StreamFeatures.build(p, spec);
    p.run();
    JobID[] job = new JobID[1];
    Clicks.await("the job running", () -> {
      Optional<JobStatusMessage> j = jobs().stream().filter(m -> !before.contains(m.getJobId())).findFirst();
      j.ifPresent(m -> job[0] = m.getJobId());
      return j.isPresent() && j.get().getJobState() == JobStatus.RUNNING;
    });
    return job[0];
  }

  static List<JobStatusMessage> jobs() {
    try {
      return new ArrayList<>(flink.listJobs().get());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void cancel(JobID job) throws Exception {
    flink.cancelJob(job).get(1, TimeUnit.MINUTES);
    awaitStatus(job, JobStatus.CANCELED);
  }

  /**
   * Stops a job with a savepoint, as an operator does: a stop whose savepoint fails leaves the job
   * running (Flink's documented behaviour, e.g. when a checkpoint request reaches a task being
   * redeployed) or fails it over to its last checkpoint (a task that aborts a stop-with-savepoint
   * fails), so it is tried again once every task of the job runs, for up to five minutes.
   */
  static String stopWithSavepoint(JobID job, String directory) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    for (int attempt = 1; ; attempt++) {
      awaitEveryTaskRunning(job);
      try {
        return flink.stopWithSavepoint(job, directory, false, SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
      } catch (java.util.concurrent.ExecutionException e) {
        if (System.nanoTime() > deadline || !causedByCheckpointFailure(e)) {
          throw e;
        }
        System.err.println("stop-with-savepoint attempt " + attempt + " failed; again once every task runs: " + e.getCause());
        Thread.sleep(1_000);
      }
    }
  }

  /**
   * Waits until the job runs and every one of its tasks runs or has finished (a source subtask
   * with nothing to read may finish): none deploying, initializing, restarting or failed.
   */
  static void awaitEveryTaskRunning(JobID job) throws InterruptedException {
    StringBuilder last = new StringBuilder();
    try {
      Clicks.await("every task of job " + job + " running or finished", () -> {
        try {
          var graph = flink.getExecutionGraph(job).get();
          last.setLength(0);
          last.append("job ").append(graph.getState());
          boolean ready = graph.getState() == JobStatus.RUNNING;
          for (var vertex : graph.getAllExecutionVertices()) {
            var state = vertex.getExecutionState();
            if (state != org.apache.flink.runtime.execution.ExecutionState.RUNNING
                && state != org.apache.flink.runtime.execution.ExecutionState.FINISHED) {
              ready = false;
              last.append("; ").append(vertex.getTaskNameWithSubtaskIndex()).append(' ').append(state);
            }
          }
          return ready;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; last seen: " + last, e);
    }
  }

  private static boolean causedByCheckpointFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof org.apache.flink.runtime.checkpoint.CheckpointException) {
        return true;
      }
    }
    return false;
  }

  static void awaitStatus(JobID job, JobStatus status) throws InterruptedException {
    Clicks.await("job " + job + " " + status, () -> {
      try {
        return flink.getJobStatus(job).get() == status;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  static void awaitWatermark(BigtableTarget target, long millis) throws InterruptedException {
    Clicks.await("M >= " + java.time.Instant.ofEpochMilli(millis) + " in " + target.table(), () -> {
      Long m = Clicks.watermark(target, repo, GROUP);
      return m != null && m >= millis;
    });
  }

  /** The completed checkpoints ({@code chk-N} with its {@code _metadata}) of a job, oldest first. */
  static List<Path> completedCheckpoints(Path jobDir) {
    if (!Files.isDirectory(jobDir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(jobDir)) {
      return files
          .filter(f -> f.getFileName().toString().startsWith("chk-") && Files.exists(f.resolve("_metadata")))
          .sorted((a, b) -> Integer.compare(number(a), number(b)))
          .toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int latestNumber(List<Path> checkpoints) {
    return checkpoints.isEmpty() ? -1 : number(checkpoints.get(checkpoints.size() - 1));
  }

  private static int number(Path checkpoint) {
    return Integer.parseInt(checkpoint.getFileName().toString().substring("chk-".length()));
  }
}
