package io.featurepipe.pipelines.ingest.avro;

import io.featurepipe.pipelines.ingest.MatchFiles;
import io.featurepipe.pipelines.ingest.ReadSource;
import io.featurepipe.pipelines.ingest.SourceCounters;
import io.featurepipe.transforms.decode.AvroRecordDecoder;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.SchemaEvolution;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;

/**
 * Reads a source's Avro data files (any Avro codec; the file may also be compressed as a whole, by
 * extension) into timestamped {@link SourceRecord}s. Each file is read with its own writer schema
 * and its records decoded by {@link AvroRecordDecoder}; a record that cannot be decoded becomes a
 * dead letter with origin {@code <file>#<record number>} (1-based) and the record as JSON, and a
 * file that is not Avro, or is corrupt part-way, one dead letter saying where reading stopped.
 *
 * <p>While the pipeline is built, the writer schemas of the files are checked against the
 * definition ({@link CheckAvroFiles}): an incompatible file stops the run before it starts.
 *
 * <p>Why not {@code AvroIO.parseFilesGenericRecords}: its parse function sees neither the file nor
 * the record number and has no second output for dead letters.
 */
public final class ReadAvroFiles extends PTransform<PBegin, PCollectionTuple> {
  private final SourceDef source;
  private final List<String> patterns;

  public ReadAvroFiles(SourceDef source, List<String> patterns) {
    this.source = source;
    this.patterns = List.copyOf(patterns);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    CheckAvroFiles.requireReadable(source, patterns);
    PCollectionTuple out =
        MatchFiles.open(begin, patterns)
            .apply(
                "Decode",
                ParDo.of(new DecodeAvroFileFn(source))
                    .withOutputTags(ReadSource.RECORDS, TupleTagList.of(ReadSource.DEAD_LETTERS)));
    return ReadSource.withCoders(out);
  }

  static final class DecodeAvroFileFn extends DoFn<FileIO.ReadableFile, SourceRecord> {
    private final SourceDef source;
    private final SourceCounters counters;
    private final String step;
    private transient AvroRecordDecoder decoder;

    DecodeAvroFileFn(SourceDef source) {
      this.source = source;
      this.counters = new SourceCounters(source.name());
      this.step = "ReadAvroFiles/" + source.name();
    }

    @Setup
    public void setup() {
      decoder = new AvroRecordDecoder(source);
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, MultiOutputReceiver out)
        throws IOException {
      String name = file.getMetadata().resourceId().toString();
      long n = 0;
      try (AvroFileEnd.Tail in = new AvroFileEnd.Tail(Channels.newInputStream(file.open()));
          DataFileStream<GenericRecord> avro = new DataFileStream<>(in, new GenericDatumReader<>())) {
        List<SchemaEvolution.Change> problems = SchemaEvolution.problems(source, avro.getSchema());
        if (!problems.isEmpty()) {
          // the file appeared after the pipeline was built, with a schema the definition cannot read
          dead(out, "written with an Avro schema the definition cannot read: "
              + problems.stream().map(SchemaEvolution.Change::message).collect(Collectors.joining("; ")),
              "", name);
          return;
        }
        while (true) {
          GenericRecord record;
          try {
            if (!avro.hasNext()) {
              cutShort(file, in, n, name, out);
              break;
            }
            record = avro.next();
          } catch (AvroRuntimeException e) {
            dead(out, "corrupt Avro data after record " + n + ": " + e.getMessage(), "", name + "#" + (n + 1));
            break;
          }
          n++;
          String origin = name + "#" + n;
          try {
            SourceRecord r = decoder.decode(record, origin);
            counters.recordRead();
            out.get(ReadSource.RECORDS).outputWithTimestamp(r, new Instant(r.eventTimeMillis()));
          } catch (BadRecordException e) {
            dead(out, e.getMessage(), AvroRecordDecoder.toJson(record), origin);
          }
        }
      } catch (IOException e) {
        dead(out, (n == 0 ? "not an Avro data file: " : "cannot read after record " + n + ": ")
            + e.getMessage(), "", n == 0 ? name : name + "#" + (n + 1));
      }
    }

    /**
     * A file whose data ends inside a block (a truncated copy or upload): Avro stops there without
     * an error, so say it, with how many records the cut block held when its header is whole.
     */
    private void cutShort(FileIO.ReadableFile file, AvroFileEnd.Tail in, long n, String name, MultiOutputReceiver out)
        throws IOException {
      byte[] sync;
      try (InputStream header = Channels.newInputStream(file.open())) {
        sync = AvroFileEnd.syncMarker(header);
      }
      if (in.endsWith(sync)) {
        return;
      }
      long lost;
      try (InputStream again = Channels.newInputStream(file.open())) {
        lost = AvroFileEnd.recordsInCutBlock(again);
      }
      dead(out, "the file ends inside an Avro block (truncated?) after record " + n + ": "
          + (lost < 0 ? "an unknown number of records" : lost + " records of its last block") + " lost",
          "", name + "#" + (n + 1));
    }

    private void dead(MultiOutputReceiver out, String reason, String payload, String origin) {
      counters.deadLetter();
      out.get(ReadSource.DEAD_LETTERS).output(new DeadLetter(source.name(), step, reason, payload, origin));
    }
  }
}
