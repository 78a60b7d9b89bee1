package io.featurepipe.runners.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.testing.FlinkBatch;
import java.nio.file.Path;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.flink.configuration.BatchExecutionOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.contrib.streaming.state.RocksDBStateBackend;
import org.junit.jupiter.api.Test;

class FlinkDefaultsTest {

  private static FlinkPipelineOptions parse(String... args) {
    return PipelineOptionsFactory.fromArgs(args).create().as(FlinkPipelineOptions.class);
  }

  private static FlinkPipelineOptions streaming(String... args) {
    FlinkPipelineOptions o = parse(args);
    o.setStreaming(true);
    FlinkDefaults.apply(o);
    return o;
  }

  @Test
  void aStreamingFlinkJobGetsCheckpointsEveryMinuteExactlyOnce() {
    FlinkPipelineOptions o = streaming("--runner=FlinkRunner", "--flinkMaster=host:8081");
    assertEquals(60_000L, o.getCheckpointingInterval());
    assertEquals("EXACTLY_ONCE", o.getCheckpointingMode());
    assertEquals(30_000L, o.getMinPauseBetweenCheckpoints());
    assertEquals(600_000L, o.getCheckpointTimeoutMillis());
    assertEquals(128, o.getMaxParallelism());
    assertEquals(100L, o.getMaxBundleTimeMills(), "an open bundle holds the watermark: freshness");
    assertTrue(o.getOperatorChaining(), "chained: the reads end their source's chain (UnboundedReads), not every step");
    assertTrue(o.getFinishBundleBeforeCheckpointing(), "a bundle's output is not buffered behind its watermark");
    assertTrue(o.getObjectReuse(), "chained steps pass records without copies");
    assertFalse(o.getFasterCopy(), "the state backend still copies values for snapshots");
    // no storage path: the cluster's state backend and checkpoint storage
    assertNull(o.getStateBackend());
    assertNull(o.getStateBackendFactory());
    assertFalse(o.isExternalizedCheckpointsEnabled());
  }

  @Test
  void theUsersValuesWin() {
    FlinkPipelineOptions o = streaming("--runner=FlinkRunner", "--checkpointingInterval=5000",
        "--checkpointingMode=AT_LEAST_ONCE", "--checkpointTimeoutMillis=1000", "--maxParallelism=64",
        "--stateBackendStoragePath=file:///tmp/cp", "--retainExternalizedCheckpointsOnCancellation=false",
        "--maxBundleTimeMills=1000", "--operatorChaining=false", "--finishBundleBeforeCheckpointing=false",
        "--objectReuse=false");
    assertEquals(5_000L, o.getCheckpointingInterval());
    assertEquals("AT_LEAST_ONCE", o.getCheckpointingMode());
    assertEquals(2_500L, o.getMinPauseBetweenCheckpoints(), "the pause follows a short interval");
    assertEquals(1_000L, o.getCheckpointTimeoutMillis());
    assertEquals(64, o.getMaxParallelism());
    assertEquals(1_000L, o.getMaxBundleTimeMills());
    assertFalse(o.getOperatorChaining());
    assertFalse(o.getFinishBundleBeforeCheckpointing());
    assertFalse(o.getObjectReuse());
    assertTrue(o.isExternalizedCheckpointsEnabled());
    assertFalse(o.getRetainExternalizedCheckpointsOnCancellation(), "explicitly false stays false");

    FlinkPipelineOptions pause = streaming("--runner=FlinkRunner", "--minPauseBetweenCheckpoints=0");
    assertEquals(0L, pause.getMinPauseBetweenCheckpoints());
  }

  @Test
  void aStoragePathMeansIncrementalRocksDbWithRetainedCheckpoints() {
    for (String[] args : new String[][] {
        {"--runner=FlinkRunner", "--stateBackendStoragePath=file:///tmp/cp"},
        {"--runner=FlinkRunner", "--stateBackend=rocksdb", "--stateBackendStoragePath=file:///tmp/cp"}}) {
      FlinkPipelineOptions o = streaming(args);
      assertNull(o.getStateBackend());
      assertSame(IncrementalRocksDb.class, o.getStateBackendFactory());
      assertTrue(o.isExternalizedCheckpointsEnabled());
      assertTrue(o.getRetainExternalizedCheckpointsOnCancellation());
      RocksDBStateBackend backend = (RocksDBStateBackend) new IncrementalRocksDb().createStateBackend(o);
      assertTrue(backend.isIncrementalCheckpointsEnabled());
      assertTrue(backend.getCheckpointBackend().toString().contains("/tmp/cp"), backend.getCheckpointBackend().toString());
    }
    FlinkPipelineOptions fs = streaming("--runner=FlinkRunner", "--stateBackend=filesystem", "--stateBackendStoragePath=file:///tmp/cp");
    assertEquals("filesystem", fs.getStateBackend(), "another backend the user chose stays");
    assertNull(fs.getStateBackendFactory());
  }

  @Test
  void theFactoryNeedsAStoragePath() {
    FlinkPipelineOptions o = parse("--runner=FlinkRunner");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new IncrementalRocksDb().createStateBackend(o));
    assertTrue(e.getMessage().contains("--stateBackendStoragePath"), e.getMessage());
  }

  @Test
  void batchJobsRunOnDataStreamWithEveryStepAtTheJobsParallelism() {
    FlinkPipelineOptions batch = parse("--runner=FlinkRunner");
    FlinkDefaults.apply(batch);
    assertTrue(batch.getUseDataStreamForBatch());
    // the directory Beam builds the job's Flink configuration from (FLINK_CONF_DIR is not set here)
    Configuration conf = GlobalConfiguration.loadConfiguration(batch.getFlinkConfDir());
    assertEquals(false, conf.get(BatchExecutionOptions.ADAPTIVE_AUTO_PARALLELISM_ENABLED),
        "the adaptive batch scheduler would pick each step's parallelism from its input's bytes");
    assertEquals(0.7f, conf.get(TaskManagerOptions.MANAGED_MEMORY_FRACTION),
        "keyed steps of a backfill sort their input in managed memory; at 0.4 a full-size one spilled");
    assertEquals(2, conf.toMap().size(), conf.toMap().toString());
    // Beam applies the fraction for [local] only: [auto] outside flink run (here) becomes [local]
    assertEquals("[local]", batch.getFlinkMaster());
    FlinkPipelineOptions auto = parse("--runner=FlinkRunner", "--flinkMaster=[auto]");
    FlinkDefaults.apply(auto);
    assertEquals("[auto]", auto.getFlinkMaster(), "the user's value wins");
    FlinkPipelineOptions remote = parse("--runner=FlinkRunner", "--flinkMaster=localhost:8081");
    FlinkDefaults.apply(remote);
    assertEquals("localhost:8081", remote.getFlinkMaster());
    assertEquals("[auto]", streaming("--runner=FlinkRunner").getFlinkMaster(), "streams decide for themselves");
    FlinkPipelineOptions again = parse("--runner=FlinkRunner");
    FlinkDefaults.apply(again);
    assertEquals(batch.getFlinkConfDir(), again.getFlinkConfDir(), "one directory per process");

    FlinkPipelineOptions dataSet = parse("--runner=FlinkRunner", "--useDataStreamForBatch=false");
    FlinkDefaults.apply(dataSet);
    assertFalse(dataSet.getUseDataStreamForBatch(), "the user's value wins");
    assertNull(dataSet.getFlinkConfDir(), "the DataSet API has no adaptive scheduler");
    String own = Path.of("target").toAbsolutePath().toString();
    FlinkPipelineOptions ownConf = parse("--runner=FlinkRunner", "--flinkConfDir=" + own);
    FlinkDefaults.apply(ownConf);
    assertEquals(own, ownConf.getFlinkConfDir(), "the user's configuration decides");
    assertFalse(streaming("--runner=FlinkRunner").getUseDataStreamForBatch(), "streams are DataStream jobs anyway");
    assertNull(streaming("--runner=FlinkRunner").getFlinkConfDir());

    // the lower modules' Flink batch tests run as the commands do
    FlinkPipelineOptions tests = FlinkBatch.options(2);
    assertEquals(FlinkDefaults.BATCH_CONFIGURATION, FlinkBatch.CONFIGURATION);
    assertEquals(batch.getFasterCopy(), tests.getFasterCopy());
    assertEquals(batch.getUseDataStreamForBatch(), tests.getUseDataStreamForBatch());
    assertEquals(conf.toMap(), GlobalConfiguration.loadConfiguration(tests.getFlinkConfDir()).toMap());
  }

  @Test
  void batchJobsOnlySkipTheCopiesBetweenStepsAndOtherRunnersAreLeftAlone() {
    FlinkPipelineOptions batch = parse("--runner=FlinkRunner");
    FlinkDefaults.apply(batch);
    assertTrue(batch.getFasterCopy());
    assertEquals(-1L, batch.getCheckpointingInterval());
    assertTrue(batch.getOperatorChaining());
    assertFalse(batch.getObjectReuse(), "batch jobs skip the copies with fasterCopy alone");
    assertNotEquals(FlinkDefaults.MAX_BUNDLE_TIME_MILLIS, batch.getMaxBundleTimeMills());
    FlinkPipelineOptions copying = parse("--runner=FlinkRunner", "--fasterCopy=false");
    FlinkDefaults.apply(copying);
    assertFalse(copying.getFasterCopy(), "the user's value wins");
    assertFalse(streaming("--runner=FlinkRunner").getFasterCopy(), "streams keep copying (heap state snapshots)");
    PipelineOptions direct = parse("--runner=DirectRunner");
    direct.as(FlinkPipelineOptions.class).setStreaming(true);
    FlinkDefaults.apply(direct);
    assertEquals(-1L, direct.as(FlinkPipelineOptions.class).getCheckpointingInterval());
    PipelineOptions directBatch = parse("--runner=DirectRunner");
    FlinkDefaults.apply(directBatch);
    assertFalse(directBatch.as(FlinkPipelineOptions.class).getFasterCopy());
    assertFalse(directBatch.as(FlinkPipelineOptions.class).getUseDataStreamForBatch());
    assertNull(directBatch.as(FlinkPipelineOptions.class).getFlinkConfDir());
  }
}
