package io.featurepipe.runners.flink;

import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkStateBackendFactory;
import org.apache.flink.contrib.streaming.state.RocksDBStateBackend;
import org.apache.flink.runtime.state.StateBackend;

/**
 * The RocksDB state backend with incremental checkpoints under {@code --stateBackendStoragePath}:
 * each checkpoint uploads only the files RocksDB wrote since the previous one. Chosen with {@code
 * --stateBackendFactory=io.featurepipe.runners.flink.IncrementalRocksDb}; {@link FlinkDefaults}
 * chooses it when a storage path is given.
 *
 * <p>It uses Flink's deprecated {@code RocksDBStateBackend}, as Beam's {@code --stateBackend=rocksdb}
 * does, because that one is both the state backend and the checkpoint storage (the path): a
 * factory can return only one object, and {@code EmbeddedRocksDBStateBackend} has no storage.
 */
@SuppressWarnings("deprecation")
public final class IncrementalRocksDb implements FlinkStateBackendFactory {
  @Override
  public StateBackend createStateBackend(FlinkPipelineOptions options) {
    String path = options.getStateBackendStoragePath();
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException(
          "the RocksDB state backend needs --stateBackendStoragePath (a folder or URL for checkpoints)");
    }
    try {
      return new RocksDBStateBackend(path, true);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot use " + path + " for RocksDB checkpoints", e);
    }
  }
}
