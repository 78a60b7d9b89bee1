package io.featurepipe.validation.columns;

import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.SourceRecord;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Source records → a group's input rows ({@link GroupRows}): records the filter rejects are left
 * out; records whose expressions fail are left out and counted as {@code
 * featurepipe:validation_rows_skipped_<group>} (feature computation dead-letters them).
 */
public final class SelectGroupRows extends PTransform<PCollection<SourceRecord>, PCollection<Object[]>> {
  private final FeatureRepository repository;
  private final String group;

  private SelectGroupRows(FeatureRepository repository, String group) {
    this.repository = repository;
    this.group = group;
  }

  public static SelectGroupRows of(FeatureRepository repository, FeatureGroupDef group) {
    return new SelectGroupRows(repository, group.name());
  }

  @Override
  public PCollection<Object[]> expand(PCollection<SourceRecord> records) {
    return records
        .apply("Evaluate", ParDo.of(new RowFn(repository, group)))
        .setCoder(RowCoder.of());
  }

  private static final class RowFn extends DoFn<SourceRecord, Object[]> {
    private final FeatureRepository repository;
    private final String group;
    private final Counter skipped;
    private transient GroupRows rows;

    RowFn(FeatureRepository repository, String group) {
      this.repository = repository;
      this.group = group;
      this.skipped = Metrics.counter("featurepipe", "validation_rows_skipped_" + group);
    }

    @Setup
    public void setup() {
      rows = new GroupRows(repository, repository.group(group));
    }

    @ProcessElement
    public void process(@Element SourceRecord record, OutputReceiver<Object[]> out) {
      try {
        Object[] row = rows.row(record);
        if (row != null) {
          out.output(row);
        }
      } catch (BadRecordException e) {
        skipped.inc();
      }
    }
  }
}
