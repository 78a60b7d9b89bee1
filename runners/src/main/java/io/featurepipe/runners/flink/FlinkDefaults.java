package io.featurepipe.runners.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * featurepipe's defaults for a streaming job on Flink, applied to the options the user did not set
 * (docs/flink.md): a checkpoint every minute, exactly once, at least 30 s apart, each allowed 10
 * minutes; a fixed maximum parallelism (the number of key groups, which a savepoint is bound to);
 * bundles open at most 100 ms (for freshness), operator chaining on (each unbounded read ends its
 * source's chain with a rebalance); bundles finished before a checkpoint's barrier rather than
 * buffered into it; records passed between chained steps without copies; and, with {@code
 * --stateBackendStoragePath}, RocksDB with incremental checkpoints under that path, retained when
 * the job is cancelled.
 *
 * <p>Call it once the runner and streaming mode are known, before the pipeline is created:
 *
 * <pre>{@code
 * PipelineOptions options = PipelineOptionsFactory.fromArgs(args).create();
 * options.as(StreamingOptions.class).setStreaming(true);
 * FlinkDefaults.apply(options);
 * }</pre>
 *
 * For a batch job (Flink batch jobs do not checkpoint) it runs the job on Flink's DataStream API in
 * BATCH execution mode with every step at the job's parallelism, and passes records between chained
 * steps without copying them; it changes nothing for other runners.
 */
public final class FlinkDefaults {
  /** Checkpoint interval: Kafka offsets are committed and state is saved this often. */
  public static final long CHECKPOINTING_INTERVAL_MILLIS = 60_000L;
  /** Checkpoints are exactly once (Beam's own default, set explicitly so it shows in the job's options). */
  public static final String CHECKPOINTING_MODE = "EXACTLY_ONCE";
  /** The least time between the end of a checkpoint and the start of the next. */
  public static final long MIN_PAUSE_BETWEEN_CHECKPOINTS_MILLIS = 30_000L;
  /** A checkpoint that takes longer fails (and the next one is tried). */
  public static final long CHECKPOINT_TIMEOUT_MILLIS = 600_000L;
  /**
   * Key groups of every keyed operator. Flink derives it from the parallelism otherwise, so a job
   * restored with another parallelism could not read its savepoint; fixed, the parallelism can change
   * up to this value.
   */
  public static final int MAX_PARALLELISM = 128;
  /**
   * The longest a bundle stays open. Beam's Flink runner holds each step's output watermark until
   * its open bundle finishes, so every step on the way from the source to the watermark cell adds
   * up to this much to freshness: with Beam's 1 s, a value was readable online 8 s (p50) after the
   * input watermark passed its window end; with 100 ms, 2.2 s (BENCHMARKS.md, freshness; 20 ms was
   * worse at p99, the per-bundle flushes falling behind). Bundles also close at 1,000 elements, so a
   * busy stream is not slowed by it.
   */
  public static final long MAX_BUNDLE_TIME_MILLIS = 100L;
  /**
   * Whether Flink chains operators into one task: on, as Flink's own default, for streams too.
   * Beam 2.70's Flink runner does not emit a step's watermark while the step has a bundle open, and
   * after a bundle closes on time it emits the watermark from a timer callback that runs after the
   * next record has already opened a new bundle. In the chain of a source fed without pause the
   * watermark then passed only at a checkpoint: values became readable online about 0.6
   * checkpoint intervals after their window end (31 s p50 at the one-minute default). Streams
   * therefore end each source's chain with a {@code Rebalance} step ({@code UnboundedReads}): every
   * chain after it reads from the network, is idle between buffers, and passes the watermark on
   * time. Measured against the earlier default (chaining off, every step its own task): freshness
   * p50 1,256 ms against 1,933, p99 2,294 against 2,475 (the same machine, one after the other),
   * at about the same CPU per event (docs/benchmarks.md, freshness and stream-cost).
   */
  public static final boolean OPERATOR_CHAINING = true;

  /**
   * Whether each step finishes its open bundle before a checkpoint barrier passes it (Beam's
   * {@code finishBundleBeforeCheckpointing}). On for streams. Otherwise Beam 2.70's Flink runner
   * finishes the bundle inside the snapshot and keeps what it outputs (the partial tiles of {@code
   * PreAggregateTiles}, the partial accumulators of {@code CombineInBundles}) in a buffer that is
   * sent on only with the step's next record or watermark; but the runner's bundle timer ({@code
   * DoFnOperator.updateOutputWatermark}) releases the watermark the open bundle held back without
   * sending that buffer first (read in its source). The buffered tiles then reach {@code
   * AssembleWindows} behind the watermark and windows already written are restated (and partial
   * statistics or window ends could be dropped as late). Worse, when the step gets no further
   * input (the end of a burst: a file, a backlog caught up), the buffer waits while every window up to the released watermark is
   * written without those tiles, and when input resumes (or the job is restored from a checkpoint
   * holding the buffer) a tile whose windows' state was released meanwhile becomes a dead letter:
   * the cause of an event lost in {@code FlinkSavepointIT}, as far as reading the code tells.
   * Finished before the barrier, a bundle's output goes out ahead of its watermark as at any other
   * time; the cost is that a checkpoint waits for open bundles (at most {@link
   * #MAX_BUNDLE_TIME_MILLIS}).
   */
  public static final boolean FINISH_BUNDLE_BEFORE_CHECKPOINTING = true;

  /**
   * Whether a batch job hands each record to the next chained step as it is ({@code fasterCopy}) or
   * as a copy made by encoding and decoding it (Beam's default). On for batch jobs: featurepipe's
   * steps never change an element they received or sent (the DirectRunner's immutability check,
   * on in the tests, fails any that would), and the copies cost 7% of a Flink backfill's CPU and 5%
   * of a training set's (BENCHMARKS.md, offline, measured both ways at full size). Off for streams:
   * there the setting also stops Flink's heap state backend from copying state values, which a
   * snapshot taken while a step updates its state relies on.
   */
  public static final boolean FASTER_COPY_IN_BATCH = true;

  /**
   * Whether a stream hands each record to the next chained step as it is ({@code objectReuse}:
   * Flink's own switch) or as a copy made by encoding and decoding it (Beam's default). On for
   * streams: as with {@link #FASTER_COPY_IN_BATCH}, no featurepipe step changes an element it
   * received or sent, and unlike {@code fasterCopy} the switch leaves the state backend's copies
   * for snapshots alone (Flink's heap backend still copies a value a step reads while a snapshot
   * runs). What it saves: docs/benchmarks.md, stream-cost.
   */
  public static final boolean OBJECT_REUSE_IN_STREAMS = true;

  /**
   * Whether a batch job runs on Flink's DataStream API in BATCH execution mode ({@code
   * --useDataStreamForBatch}) rather than on the DataSet API (Beam's default for Flink 1.x; Flink 2
   * no longer has it). On: far fewer records pass through the network stack between steps (2% of a
   * backfill's CPU samples against 26% on DataSet; as far as reading Beam's translators tells, a
   * multi-output step hands its outputs on as Flink side outputs there), and a backfill took about
   * half the wall time and CPU, a training set 10-15% less (docs/flink.md, measured at full size).
   * The same rows either way (the benchmark compares every value).
   */
  public static final boolean DATA_STREAM_FOR_BATCH = true;

  /**
   * The Flink settings of a batch job on the DataStream API ({@link #batchConfigurationDirectory}),
   * one per line.
   *
   * <p>Auto-parallelism off: Flink 1.19 runs BATCH-mode jobs under its adaptive batch scheduler,
   * which picks the parallelism of every step whose parallelism the job did not set itself from the
   * bytes that step reads; Beam sets only the job's parallelism, so a step fed by a short list of
   * file names ran as one subtask and decoded every file alone. With auto-parallelism off every step
   * runs at the job's parallelism.
   *
   * <p>Managed memory at 0.7 of the free heap, for the embedded cluster ({@code [local]}; Beam sizes
   * its managed memory as this fraction of the heap free when the job starts, Flink's default 0.4; a
   * cluster's task managers size their own): in BATCH mode a keyed step's input is sorted in managed
   * memory, and the state holds one key at a time on the heap, so the heap stays mostly free. At 0.4
   * a full-size backfill spilled sorted tiles to disk and read them back; at 0.7 it did not
   * (docs/flink.md). Managed memory lies outside the heap: a JVM may use up to 1.7
   * times its maximum heap. Beam reads the fraction for {@code [local]} only, so a batch job left at
   * {@code [auto]} outside {@code flink run} runs as {@code [local]} ({@link #apply}).
   */
  public static final String BATCH_CONFIGURATION =
      "execution.batch.adaptive.auto-parallelism.enabled: false\n"
          + "taskmanager.memory.managed.fraction: 0.7";

  private static volatile Path batchConfigurationDirectory;

  private FlinkDefaults() {}

  /**
   * Fills in the defaults the options do not set explicitly when the runner is Flink: for a batch
   * job {@link #FASTER_COPY_IN_BATCH}, for a streaming job the rest; returns the same options.
   */
  public static PipelineOptions apply(PipelineOptions options) {
    if (options.getRunner() != FlinkRunner.class) {
      return options;
    }
    Set<String> set = explicitlySet(options);
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (!options.as(StreamingOptions.class).isStreaming()) {
      if (!set.contains("fasterCopy")) {
        flink.setFasterCopy(FASTER_COPY_IN_BATCH);
      }
      if (!set.contains("useDataStreamForBatch")) {
        flink.setUseDataStreamForBatch(DATA_STREAM_FOR_BATCH);
      }
      if (Boolean.TRUE.equals(flink.getUseDataStreamForBatch()) && !set.contains("flinkConfDir")
          && System.getenv("FLINK_CONF_DIR") == null) {
        flink.setFlinkConfDir(batchConfigurationDirectory().toString());
      }
      if (!set.contains("flinkMaster") && embeddedAuto(flink.getFlinkMaster())) {
        // the same embedded cluster, but Beam sizes its managed memory only for [local]
        flink.setFlinkMaster("[local]");
      }
      return options;
    }
    if (!set.contains("checkpointingInterval")) {
      flink.setCheckpointingInterval(CHECKPOINTING_INTERVAL_MILLIS);
    }
    if (!set.contains("checkpointingMode")) {
      flink.setCheckpointingMode(CHECKPOINTING_MODE);
    }
    if (!set.contains("minPauseBetweenCheckpoints")) {
      flink.setMinPauseBetweenCheckpoints(
          Math.min(MIN_PAUSE_BETWEEN_CHECKPOINTS_MILLIS, flink.getCheckpointingInterval() / 2));
    }
    if (!set.contains("checkpointTimeoutMillis")) {
      flink.setCheckpointTimeoutMillis(CHECKPOINT_TIMEOUT_MILLIS);
    }
    if (!set.contains("maxParallelism")) {
      flink.setMaxParallelism(MAX_PARALLELISM);
    }
    if (!set.contains("maxBundleTimeMills")) {
      flink.setMaxBundleTimeMills(MAX_BUNDLE_TIME_MILLIS);
    }
    if (!set.contains("operatorChaining")) {
      flink.setOperatorChaining(OPERATOR_CHAINING);
    }
    if (!set.contains("finishBundleBeforeCheckpointing")) {
      flink.setFinishBundleBeforeCheckpointing(FINISH_BUNDLE_BEFORE_CHECKPOINTING);
    }
    if (!set.contains("objectReuse")) {
      flink.setObjectReuse(OBJECT_REUSE_IN_STREAMS);
    }
    String storage = flink.getStateBackendStoragePath();
    if (storage != null && !storage.isEmpty()) {
      boolean rocksDb = flink.getStateBackend() == null || "rocksdb".equalsIgnoreCase(flink.getStateBackend());
      if (rocksDb && !set.contains("stateBackendFactory")) {
        // Beam's own "rocksdb" backend makes full checkpoints; this factory makes incremental ones
        flink.setStateBackend(null);
        flink.setStateBackendFactory(IncrementalRocksDb.class);
      }
      if (!set.contains("externalizedCheckpointsEnabled")) {
        flink.setExternalizedCheckpointsEnabled(true);
      }
      if (!set.contains("retainExternalizedCheckpointsOnCancellation")) {
        flink.setRetainExternalizedCheckpointsOnCancellation(true);
      }
    }
    return options;
  }

  /**
   * Whether the master is Beam's default {@code [auto]} outside {@code flink run}: an embedded
   * cluster, like {@code [local]}, for which Beam applies Flink's local defaults (128 MiB of managed
   * memory) instead of {@link #BATCH_CONFIGURATION}'s fraction. Under {@code flink run} the
   * environment is the client's, which hands the job to its cluster.
   */
  static boolean embeddedAuto(String master) {
    return (master == null || master.equals("[auto]"))
        && StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment;
  }

  /**
   * A Flink configuration directory holding only {@link #BATCH_CONFIGURATION} (a {@code
   * config.yaml} in a temporary directory of this process, made once, again if it was removed),
   * for a batch job whose user gave Flink no configuration of their own: Beam builds the job's Flink
   * configuration from {@code --flinkConfDir} or {@code FLINK_CONF_DIR} and nothing else. With
   * either given, that configuration decides (docs/flink.md says what to put in it). The name
   * {@code config.yaml}, not the legacy {@code flink-conf.yaml}: loading the legacy name switches
   * Flink's YAML handling for the whole JVM.
   */
  static Path batchConfigurationDirectory() {
    Path dir = batchConfigurationDirectory;
    if (dir == null || !Files.isRegularFile(dir.resolve("config.yaml"))) {
      synchronized (FlinkDefaults.class) {
        dir = batchConfigurationDirectory;
        if (dir == null || !Files.isRegularFile(dir.resolve("config.yaml"))) {
          try {
            dir = Files.createTempDirectory("featurepipe-flink-batch-");
            Path file = Files.writeString(dir.resolve("config.yaml"), BATCH_CONFIGURATION + "\n");
            dir.toFile().deleteOnExit();
            file.toFile().deleteOnExit();
          } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Flink batch configuration: " + e.getMessage(), e);
          }
          batchConfigurationDirectory = dir;
        }
      }
    }
    return dir;
  }

  /**
   * The names of the options given explicitly (on the command line or by a setter): the options'
   * display data leaves out the values that are defaults.
   */
  static Set<String> explicitlySet(PipelineOptions options) {
    return DisplayData.from(options).items().stream().map(DisplayData.Item::getKey).collect(Collectors.toSet());
  }
}
