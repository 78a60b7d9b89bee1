package io.featurepipe.pipelines.ingest;

import io.featurepipe.pipelines.ingest.avro.ReadAvroFiles;
import io.featurepipe.pipelines.ingest.jdbc.ReadJdbc;
import io.featurepipe.pipelines.ingest.parquet.ReadParquetFiles;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.record.SourceRecordCoder;
import java.time.LocalDate;
import java.util.List;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Reads a source's bounded records, whatever its kind and format: the entry point bounded
 * pipelines use. Output: {@link #RECORDS} (timestamped {@link SourceRecord}s) and
 * {@link #DEAD_LETTERS} (what could not be read, with the reason).
 *
 * <p>Kinds and formats: files ({@code bounded: {path: ...}}) in JSON lines, CSV or Avro, plain or
 * compressed (see {@link ReadSourceFiles}, {@link ReadAvroFiles}); a JDBC query ({@code bounded:
 * {jdbc: ...}}, see {@link ReadJdbc}). Avro files written with a schema the definition cannot read
 * stop the build of the pipeline with a message naming file, field and types.
 *
 * <p>Days: {@code from} and {@code to} (inclusive, either both null for everything) limit the
 * files read through {@code {date}} in paths, and the rows of a JDBC query (its {@code {from}} and
 * {@code {to}} placeholders, or a filter on the timestamp column).
 */
public final class ReadSource extends PTransform<PBegin, PCollectionTuple> {

  public static final TupleTag<SourceRecord> RECORDS = ReadSourceFiles.RECORDS;
  public static final TupleTag<DeadLetter> DEAD_LETTERS = ReadSourceFiles.DEAD_LETTERS;

  private final SourceDef source;
  private final String dataRoot;
  private final LocalDate from;
  private final LocalDate to;

  private ReadSource(SourceDef source, String dataRoot, LocalDate from, LocalDate to) {
    this.source = source;
    this.dataRoot = dataRoot;
    this.from = from;
    this.to = to;
  }

  /** Sets the coders of a read's two outputs ({@link SourceRecordCoder}, {@link DeadLetter.Coder}). */
  public static PCollectionTuple withCoders(PCollectionTuple read) {
    read.get(RECORDS).setCoder(SourceRecordCoder.of());
    read.get(DEAD_LETTERS).setCoder(DeadLetter.Coder.of());
    return read;
  }

  public static ReadSource of(SourceDef source, String dataRoot, LocalDate from, LocalDate to) {
    if (source.bounded() == null) {
      throw new IllegalArgumentException("source '" + source.name() + "' has no bounded input");
    }
    return new ReadSource(source, dataRoot, from, to);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    String kind = source.bounded().kind();
    if ("jdbc".equals(kind)) {
      return begin.apply("ReadJdbc", ReadJdbc.of(source, from, to));
    }
    if ("path".equals(kind)) {
      List<String> patterns = SourcePaths.patterns(source, dataRoot, from, to);
      switch (source.format()) {
        case JSONL:
        case CSV:
          return begin.apply("ReadFiles", new ReadSourceFiles(source, patterns));
        case AVRO:
          return begin.apply("ReadAvroFiles", new ReadAvroFiles(source, patterns));
        case PARQUET:
          return begin.apply("ReadParquetFiles", new ReadParquetFiles(source, patterns));
        default:
          break;
      }
    }
    throw new IllegalArgumentException(
        "source '" + source.name() + "': reading " + kind + " (" + source.format().yamlName()
            + ") is not supported");
  }
}
