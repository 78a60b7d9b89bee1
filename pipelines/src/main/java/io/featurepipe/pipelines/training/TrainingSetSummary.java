package io.featurepipe.pipelines.training;

import io.featurepipe.pipelines.metrics.Counters;
import io.featurepipe.transforms.model.FeatureGroupDef;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;

/**
 * The counts of a finished training-set run: spine rows read and rejected, rows written, and per
 * group how many rows found an offline row and how many got the empty values.
 */
public record TrainingSetSummary(
    long spineRows, long deadLetters, long rowsWritten, long partitionsRead, long hotKeys,
    Map<String, Long> found, Map<String, Long> empty, TrainingSet.Built built) {

  static TrainingSetSummary of(PipelineResult result, TrainingSet.Built built) {
    Map<String, Long> c = Counters.of(result);
    Map<String, Long> found = new LinkedHashMap<>();
    Map<String, Long> empty = new LinkedHashMap<>();
    for (FeatureGroupDef g : built.schema().selection().groups()) {
      found.put(g.name(), c.getOrDefault("training_found_" + g.name(), 0L));
      empty.put(g.name(), c.getOrDefault("training_empty_" + g.name(), 0L));
    }
    return new TrainingSetSummary(
        c.getOrDefault("spine_rows_read", 0L), c.getOrDefault("spine_dead_letters", 0L),
        c.getOrDefault("training_rows_written", 0L), c.getOrDefault("training_partitions_read", 0L),
        c.getOrDefault("training_hot_keys", 0L), found, empty, built);
  }

  /** A few lines for the command line. */
  public String render() {
    StringBuilder b = new StringBuilder();
    b.append(String.format("spine  %,d rows read, %,d rejected (dead letters)%n", spineRows, deadLetters));
    for (String g : found.keySet()) {
      b.append(String.format("group  %-24s %,10d rows with values, %,d with empty values%n", g, found.get(g), empty.get(g)));
    }
    b.append(String.format("training set: %,d rows, %d features, from %,d offline partitions%n",
        rowsWritten, built.schema().featureColumns().size(), partitionsRead));
    b.append("data:         ").append(built.dataFiles()).append('\n');
    b.append("schema:       ").append(built.schemaFile()).append('\n');
    b.append("features:     ").append(built.featuresFile()).append('\n');
    if (deadLetters > 0) {
      b.append("dead letters: ").append(built.deadLetters()).append('\n');
    }
    return b.toString();
  }
}
