package io.featurepipe.pipelines.ingest.avro;

import io.featurepipe.pipelines.ingest.CheckFileSchemas;
import io.featurepipe.pipelines.ingest.MatchFiles;
import io.featurepipe.transforms.decode.AvroRecordDecoder;
import io.featurepipe.transforms.decode.SchemaEvolution;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.SourceRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * Reads a source's Avro data files (any Avro codec; the file may also be compressed as a whole, by
 * extension) into timestamped {@link SourceRecord}s. Each file is read with its own writer schema
 * and its records decoded by {@link AvroRecordDecoder}; a record that cannot be decoded becomes a
 * dead letter with origin {@code <file>#<record number>} (1-based) and the record as JSON, and a
 * file that is not Avro, or is corrupt part-way, one dead letter saying where reading stopped.
 *
 * <p>While the pipeline is built, the writer schemas of the files are checked against the
 * definition ({@link CheckFileSchemas}): an incompatible file stops the run before it starts.
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
    CheckFileSchemas.requireReadable(source, patterns, ReadAvroFiles::writerSchema);
    return MatchFiles.decode(begin, patterns, new DecodeAvroFileFn(source));
  }

  /** The file's writer schema (its header only is read), or null when it is not an Avro data file. */
  static Schema writerSchema(MatchResult.Metadata file) {
    String name = file.resourceId().toString();
    try (InputStream in =
            Channels.newInputStream(
                Compression.detect(name).readDecompressed(FileSystems.open(file.resourceId())));
        DataFileStream<GenericRecord> avro = new DataFileStream<>(in, new GenericDatumReader<>())) {
      return avro.getSchema();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static final class DecodeAvroFileFn extends AvroRecordsFn {
    DecodeAvroFileFn(SourceDef source) {
      super(source, "ReadAvroFiles");
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
          emit(out, record, name + "#" + n);
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
  }
}
