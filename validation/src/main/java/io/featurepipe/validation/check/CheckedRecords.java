package io.featurepipe.validation.check;

import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/** The output of {@link CheckRecords}: the records that passed, and a dead letter per rejected record. */
public final class CheckedRecords implements POutput {
  static final TupleTag<SourceRecord> VALID = new TupleTag<>("valid") {};
  static final TupleTag<DeadLetter> REJECTED = new TupleTag<>("rejected") {};

  private final PCollectionTuple tuple;

  CheckedRecords(PCollectionTuple tuple) {
    this.tuple = tuple;
  }

  /** Records that passed every check, unchanged. */
  public PCollection<SourceRecord> valid() {
    return tuple.get(VALID);
  }

  /** One dead letter per rejected record: step {@code CheckRecords/<source>}, every failed check and value in the reason. */
  public PCollection<DeadLetter> deadLetters() {
    return tuple.get(REJECTED);
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
  public void finishSpecifyingOutput(
      String transformName, PInput input, PTransform<?, ?> transform) {
    tuple.finishSpecifyingOutput(transformName, input, transform);
  }
}
