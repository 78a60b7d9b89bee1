package io.featurepipe.transforms.compute;

import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.FeatureRow;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * What {@link ComputeFeatures} produces: feature rows of every group, too-late events (whole, with
 * the reason), and dead letters (records an expression could not process, tiles that arrived too
 * late to apply).
 */
public final class FeatureOutputs implements POutput {
  private static final TupleTag<FeatureRow> ROWS = new TupleTag<>("rows");
  private static final TupleTag<DeadLetter> LATE = new TupleTag<>("late");
  private static final TupleTag<DeadLetter> DEAD = new TupleTag<>("deadLetters");

  private final Pipeline pipeline;
  private final PCollection<FeatureRow> rows;
  private final PCollection<DeadLetter> late;
  private final PCollection<DeadLetter> deadLetters;

  FeatureOutputs(
      Pipeline pipeline,
      PCollection<FeatureRow> rows,
      PCollection<DeadLetter> late,
      PCollection<DeadLetter> deadLetters) {
    this.pipeline = pipeline;
    this.rows = rows;
    this.late = late;
    this.deadLetters = deadLetters;
  }

  /** One row per (group, key, window end) with data, the explicit empties, and restatements. */
  public PCollection<FeatureRow> rows() {
    return rows;
  }

  /** Events that arrived too late, with their payload and the reason. */
  public PCollection<DeadLetter> lateEvents() {
    return late;
  }

  /** Records or tiles that could not be processed, with the step and the reason. */
  public PCollection<DeadLetter> deadLetters() {
    return deadLetters;
  }

  @Override
  public Pipeline getPipeline() {
    return pipeline;
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return Map.of(ROWS, rows, LATE, late, DEAD, deadLetters);
  }

  @Override
  public void finishSpecifyingOutput(
      String transformName, org.apache.beam.sdk.values.PInput input, PTransform<?, ?> transform) {}
}
