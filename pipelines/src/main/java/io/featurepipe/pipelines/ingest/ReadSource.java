package io.featurepipe.pipelines.ingest;

import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.model.SourceFormat;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import java.time.LocalDate;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Reads a source's bounded records, whatever its kind and format: the entry point bounded
 * pipelines use. Output: {@link #RECORDS} (timestamped {@link SourceRecord}s) and
 * {@link #DEAD_LETTERS} (what could not be read, with the reason).
 *
 * <p>Days: {@code from} and {@code to} (inclusive, either both null for everything) limit the
 * files read through {@code {date}} in paths; other sources read what their definition names.
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

  public static ReadSource of(SourceDef source, String dataRoot, LocalDate from, LocalDate to) {
    if (source.bounded() == null) {
      throw new IllegalArgumentException("source '" + source.name() + "' has no bounded input");
    }
    return new ReadSource(source, dataRoot, from, to);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    String kind = source.bounded().kind();
    if ("path".equals(kind)
        && (source.format() == SourceFormat.JSONL || source.format() == SourceFormat.CSV)) {
      return begin.apply(
          "ReadFiles", new ReadSourceFiles(source, SourcePaths.patterns(source, dataRoot, from, to)));
    }
    throw new IllegalArgumentException(
        "source '" + source.name() + "': reading " + kind + " (" + source.format().yamlName()
            + ") is not supported");
  }
}
