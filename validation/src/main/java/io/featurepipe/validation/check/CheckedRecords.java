package io.featurepipe.validation.check;

import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.validation.tuple.TupleOutput;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/** The output of {@link CheckRecords}: the records that passed, and a dead letter per rejected record. */
public final class CheckedRecords extends TupleOutput {
  static final TupleTag<SourceRecord> VALID = new TupleTag<>("valid") {};
  static final TupleTag<DeadLetter> REJECTED = new TupleTag<>("rejected") {};

  CheckedRecords(PCollectionTuple tuple) {
    super(tuple);
  }

  /** Records that passed every check, unchanged. */
  public PCollection<SourceRecord> valid() {
    return tuple.get(VALID);
  }

  /** One dead letter per rejected record: step {@code CheckRecords/<source>}, every failed check and value in the reason. */
  public PCollection<DeadLetter> deadLetters() {
    return tuple.get(REJECTED);
  }
}
