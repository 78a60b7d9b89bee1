package io.featurepipe.sinks.online;

import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.FeatureRow;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.gcp.bigtable.BigtableWriteResult;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/** What {@link WriteOnline} produces. */
public final class OnlineWriteResult implements POutput {
  private static final TupleTag<FeatureRow> WRITTEN = new TupleTag<>("written");
  private static final TupleTag<KV<String, Long>> WATERMARKS = new TupleTag<>("watermarks");
  private static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters");
  private static final TupleTag<BigtableWriteResult> CELL_WRITES = new TupleTag<>("cellWrites");
  private static final TupleTag<BigtableWriteResult> WATERMARK_WRITES = new TupleTag<>("watermarkWrites");

  private final Pipeline pipeline;
  private final PCollection<FeatureRow> written;
  private final PCollection<KV<String, Long>> watermarks;
  private final PCollection<DeadLetter> deadLetters;
  private final PCollection<BigtableWriteResult> cellWrites;
  private final PCollection<BigtableWriteResult> watermarkWrites;

  OnlineWriteResult(
      Pipeline pipeline,
      PCollection<FeatureRow> written,
      PCollection<KV<String, Long>> watermarks,
      PCollection<DeadLetter> deadLetters,
      PCollection<BigtableWriteResult> cellWrites,
      PCollection<BigtableWriteResult> watermarkWrites) {
    this.pipeline = pipeline;
    this.written = written;
    this.watermarks = watermarks;
    this.deadLetters = deadLetters;
    this.cellWrites = cellWrites;
    this.watermarkWrites = watermarkWrites;
  }

  /**
   * The rows this writer owns, each with the features it wrote as {@code onlineWrites} (the one
   * writer rule can be audited from them).
   */
  public PCollection<FeatureRow> written() {
    return written;
  }

  /**
   * (group, window end) each time the watermark cell is set, after the cells up to that window end
   * are written.
   */
  public PCollection<KV<String, Long>> watermarks() {
    return watermarks;
  }

  /** Rows that cannot be stored (a version other than the definitions', a window end before 1970). */
  public PCollection<DeadLetter> deadLetters() {
    return deadLetters;
  }

  /**
   * BigtableIO's results of the cell writes, for {@code Wait.on}; for unbounded inputs without the
   * restatements, which {@link WriteOnline} writes after them, one at a time.
   */
  public PCollection<BigtableWriteResult> cellWrites() {
    return cellWrites;
  }

  /** BigtableIO's results of the watermark writes, for {@code Wait.on}. */
  public PCollection<BigtableWriteResult> watermarkWrites() {
    return watermarkWrites;
  }

  @Override
  public Pipeline getPipeline() {
    return pipeline;
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return Map.of(
        WRITTEN, written,
        WATERMARKS, watermarks,
        DEAD_LETTERS, deadLetters,
        CELL_WRITES, cellWrites,
        WATERMARK_WRITES, watermarkWrites);
  }

  @Override
  public void finishSpecifyingOutput(String transformName, PInput input, PTransform<?, ?> transform) {}
}
