package io.featurepipe.validation.detect;

import io.featurepipe.transforms.record.Alert;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.tensorflow.metadata.v0.Anomalies;

/** The output of {@link DetectAnomalies}: one {@link Anomalies} per statistics, and its alerts, in the same window. */
public final class DetectedAnomalies implements POutput {
  static final TupleTag<Anomalies> ANOMALIES = new TupleTag<>("anomalies") {};
  static final TupleTag<Alert> ALERTS = new TupleTag<>("alerts") {};

  private final PCollectionTuple tuple;

  DetectedAnomalies(PCollectionTuple tuple) {
    this.tuple = tuple;
  }

  public PCollection<Anomalies> anomalies() {
    return tuple.get(ANOMALIES);
  }

  public PCollection<Alert> alerts() {
    return tuple.get(ALERTS);
  }

  @Override
  public Pipeline getPipeline() {
    return tuple.getPipeline();
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return tuple.expand();
  }

  @Override
  public void finishSpecifyingOutput(String transformName, PInput input, PTransform<?, ?> transform) {
    tuple.finishSpecifyingOutput(transformName, input, transform);
  }
}
