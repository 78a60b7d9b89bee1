package io.featurepipe.validation.detect;

import io.featurepipe.transforms.record.Alert;
import io.featurepipe.validation.tuple.TupleOutput;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.tensorflow.metadata.v0.Anomalies;

/** The output of {@link DetectAnomalies}: one {@link Anomalies} per statistics, and its alerts, in the same window. */
public final class DetectedAnomalies extends TupleOutput {
  static final TupleTag<Anomalies> ANOMALIES = new TupleTag<>("anomalies") {};
  static final TupleTag<Alert> ALERTS = new TupleTag<>("alerts") {};

  DetectedAnomalies(PCollectionTuple tuple) {
    super(tuple);
  }

  public PCollection<Anomalies> anomalies() {
    return tuple.get(ANOMALIES);
  }

  public PCollection<Alert> alerts() {
    return tuple.get(ALERTS);
  }
}
