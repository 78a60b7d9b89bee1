package io.featurepipe.pipelines.ingest;

import io.featurepipe.transforms.record.SourceRecord;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;

/** The steps file reads share. */
public final class MatchFiles {
  private MatchFiles() {}

  /**
   * The files matching glob patterns (none matching is fine), spread over workers and opened with
   * the compression their extension names: steps {@code Patterns}, {@code Match}, {@code
   * SpreadFiles}, {@code Open}, applied in the caller's composite so their names stay stable.
   */
  public static PCollection<FileIO.ReadableFile> open(PBegin begin, List<String> patterns) {
    return begin
        .apply("Patterns", Create.of(List.copyOf(patterns)).withCoder(StringUtf8Coder.of()))
        .apply("Match", FileIO.matchAll().withEmptyMatchTreatment(EmptyMatchTreatment.ALLOW))
        .apply("SpreadFiles", Reshuffle.viaRandomKey())
        .apply("Open", FileIO.readMatches());
  }

  /**
   * The files matching the patterns ({@link #open}), each decoded by {@code fn} in step {@code
   * Decode} into {@link ReadSource#RECORDS} and {@link ReadSource#DEAD_LETTERS}, with their coders.
   */
  public static PCollectionTuple decode(PBegin begin, List<String> patterns, DoFn<FileIO.ReadableFile, SourceRecord> fn) {
    PCollectionTuple out =
        open(begin, patterns)
            .apply("Decode", ParDo.of(fn).withOutputTags(ReadSource.RECORDS, TupleTagList.of(ReadSource.DEAD_LETTERS)));
    return ReadSource.withCoders(out);
  }
}
