package io.featurepipe.pipelines.ingest.folder;

import io.featurepipe.pipelines.ingest.Decoded;
import io.featurepipe.pipelines.ingest.SplitDecoded;
import io.featurepipe.pipelines.ingest.UnboundedReads;
import io.featurepipe.transforms.decode.PayloadDecoder;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.model.SourceFormat;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.joda.time.Duration;

/**
 * Reads a watched folder ({@code unbounded: {folder: {path, poll_interval}}}, default poll
 * interval 10s) as a stream: JSON lines or CSV files (with the source's CSV header setting,
 * compressed by extension) picked up as they appear, one record per line, event-time timestamps
 * and a watermark trailing the event times by the source's {@code watermark_delay}; bad lines
 * become dead letters with origin {@code <file>:<line>}. Built by {@link
 * io.featurepipe.pipelines.ingest.ReadStream}.
 */
public final class ReadFolder extends PTransform<PBegin, PCollectionTuple> {
  private final SourceDef source;
  private final String folder;
  private final Long maxRecords;

  /**
   * @param folder the folder, already resolved against the data root
   * @param maxRecords stop after this many lines (tests, replays), or null to read forever
   */
  public ReadFolder(SourceDef source, String folder, Long maxRecords) {
    if (source.format() != SourceFormat.JSONL && source.format() != SourceFormat.CSV) {
      throw new IllegalArgumentException(
          "source '" + source.name() + "': a watched folder holds jsonl or csv files, not "
              + source.format().yamlName());
    }
    this.source = source;
    this.folder = folder;
    this.maxRecords = maxRecords;
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    String poll = source.unbounded().getOrDefault("poll_interval", "10s");
    FolderSource folderSource =
        new FolderSource(
            folder,
            pollInterval(poll),
            Duration.millis(source.watermarkDelay().toMillis()),
            PayloadDecoder.of(source, null),
            source.format() == SourceFormat.CSV && source.csvHeader());
    Read.Unbounded<Decoded> read = Read.from(folderSource);
    return maxRecords == null
        ? UnboundedReads.rebalanced(begin.apply("ReadFiles", read)).apply("Decode", new SplitDecoded(source.name()))
        : begin
            .apply("ReadFiles", read.withMaxNumRecords(maxRecords))
            .apply("Decode", new SplitDecoded(source.name()));
  }

  /** A poll interval as the loader accepted it: an integer and a unit (ms, s, m, h, d, w). */
  static Duration pollInterval(String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)(ms|s|m|h|d|w)").matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("poll_interval '" + text + "' is not a duration such as 10s");
    }
    long n = Long.parseLong(m.group(1));
    switch (m.group(2)) {
      case "ms":
        return Duration.millis(n);
      case "s":
        return Duration.standardSeconds(n);
      case "m":
        return Duration.standardMinutes(n);
      case "h":
        return Duration.standardHours(n);
      case "d":
        return Duration.standardDays(n);
      default:
        return Duration.standardDays(7 * n);
    }
  }
}
