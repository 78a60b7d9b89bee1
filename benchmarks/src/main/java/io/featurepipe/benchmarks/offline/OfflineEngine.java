package io.featurepipe.benchmarks.offline;

import java.nio.file.Path;

/**
 * One way of computing the offline benchmark end to end: a backfill from the payment files to
 * feature rows on disk, then a training set from the spine file and those rows to a file. The
 * suite times each phase around these calls; each engine reads only files, so the phases are
 * timed from the generated input to the engine's output.
 */
interface OfflineEngine {

  /** The engine as named in the tables, e.g. {@code featurepipe (Flink [local], parallelism 2)}. */
  String name();

  /** Computes every group's rows with a window end in the workload's range into {@code offline}; returns the rows written. */
  long backfill(OfflineWorkload workload, Path offline) throws Exception;

  /** Joins the spine point in time to the rows under {@code offline} into {@code training}; returns the rows written. */
  long trainingSet(OfflineWorkload workload, Path offline, Path training) throws Exception;

  /** Reads back what {@link #backfill} and {@link #trainingSet} wrote, for the equality check. */
  EngineOutputs outputs(OfflineWorkload workload, Path offline, Path training);
}
