package io.featurepipe.validation.tuple;

import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Base of the result classes of multi-output transforms: a {@link PCollectionTuple} behind named
 * getters, so callers never handle tags.
 */
public abstract class TupleOutput implements POutput {
  protected final PCollectionTuple tuple;

  protected TupleOutput(PCollectionTuple tuple) {
    this.tuple = tuple;
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
