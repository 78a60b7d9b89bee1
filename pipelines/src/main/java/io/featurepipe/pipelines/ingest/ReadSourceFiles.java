package io.featurepipe.pipelines.ingest;

import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.model.SourceFormat;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * Reads a source's bounded files — JSON lines or CSV, plain or compressed (by extension) — into
 * timestamped {@link SourceRecord}s, and every line that cannot be decoded into a dead letter with
 * the file, the line number, the raw line and the reason.
 *
 * <p>The file patterns are the source's {@code bounded.path} resolved against a data root, one per
 * day when the path holds {@code {date}} (see {@link SourcePaths}).
 */
public final class ReadSourceFiles extends PTransform<PBegin, PCollectionTuple> {

  public static final TupleTag<SourceRecord> RECORDS = new TupleTag<>("records") {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters") {};

  private final SourceDef source;
  private final List<String> patterns;

  public ReadSourceFiles(SourceDef source, List<String> patterns) {
    if (source.format() != SourceFormat.JSONL && source.format() != SourceFormat.CSV) {
      throw new IllegalArgumentException(
          "source '" + source.name() + "': reading " + source.format().yamlName()
              + " files is not supported yet; use jsonl or csv");
    }
    this.source = source;
    this.patterns = List.copyOf(patterns);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    return MatchFiles.decode(begin, patterns, new DecodeFileFn(source));
  }

  static final class DecodeFileFn extends DoFn<FileIO.ReadableFile, SourceRecord> {
    private final SourceDef source;
    private final SourceCounters counters;
    private transient RecordDecoder decoder;

    DecodeFileFn(SourceDef source) {
      this.source = source;
      this.counters = new SourceCounters(source.name());
    }

    @Setup
    public void setup() {
      decoder = new RecordDecoder(source);
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, MultiOutputReceiver out)
        throws IOException {
      String name = file.getMetadata().resourceId().toString();
      try (BufferedReader reader =
          new BufferedReader(
              new InputStreamReader(Channels.newInputStream(file.open()), StandardCharsets.UTF_8))) {
        List<String> header = null;
        String line;
        long lineNumber = 0;
        while ((line = reader.readLine()) != null) {
          lineNumber++;
          if (line.isBlank()) {
            continue;
          }
          String origin = name + ":" + lineNumber;
          if (source.format() == SourceFormat.CSV && header == null) {
            header = source.csvHeader() ? parseHeader(line) : fieldNames();
            if (source.csvHeader()) {
              continue;
            }
          }
          try {
            SourceRecord r =
                source.format() == SourceFormat.CSV
                    ? decoder.fromCsv(line, header, origin)
                    : decoder.fromJson(line, origin);
            counters.recordRead();
            out.get(RECORDS).outputWithTimestamp(r, new Instant(r.eventTimeMillis()));
          } catch (BadRecordException e) {
            counters.deadLetter();
            out.get(DEAD_LETTERS)
                .output(new DeadLetter(source.name(), "ReadSourceFiles/" + source.name(), e.getMessage(), line, origin));
          }
        }
      }
    }

    private List<String> parseHeader(String line) {
      List<String> names = new ArrayList<>();
      for (String s : line.split(java.util.regex.Pattern.quote(String.valueOf(source.csvDelimiter())), -1)) {
        names.add(s.trim().replace("\"", ""));
      }
      return names;
    }

    private List<String> fieldNames() {
      List<String> names = new ArrayList<>();
      source.fields().forEach(f -> names.add(f.name()));
      return names;
    }
  }
}
