package io.featurepipe.pipelines.ingest.parquet;

import io.featurepipe.pipelines.ingest.CheckFileSchemas;
import io.featurepipe.pipelines.ingest.MatchFiles;
import io.featurepipe.pipelines.ingest.avro.AvroRecordsFn;
import io.featurepipe.transforms.decode.AvroRecordDecoder;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.SchemaEvolution;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.SourceRecord;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.InputFile;

/**
 * Reads a source's Parquet files (page codecs uncompressed, snappy, gzip, zstd, lz4_raw) into
 * timestamped {@link SourceRecord}s. Each file's schema is read from its
 * footer as Avro (the schema parquet-avro stored, or the one it derives from the Parquet schema),
 * only the columns the source defines are read, and each row is decoded by {@link
 * AvroRecordDecoder}, as an Avro file's records are, after the values parquet-avro hands over in
 * another form (INT96 and nanosecond timestamps, decimals, unsigned integers) are made what they
 * hold ({@link ParquetFiles.Schemas}): a row that cannot be decoded becomes a dead letter with origin
 * {@code <file>#<row number>} (1-based) and the row's columns as JSON; a file that is not Parquet,
 * is cut short, is compressed as a whole or is corrupt part-way gives one dead letter saying where
 * reading stopped.
 *
 * <p>While the pipeline is built, the files' schemas are checked against the definition ({@link
 * CheckFileSchemas}): an incompatible file stops the run before it starts. A column the definition
 * requires may be optional in the file (most writers mark every column so): a null in it is a dead
 * letter for its row.
 *
 * <p>A file is read by one worker from start to end (files, not row groups, are spread).
 */
public final class ReadParquetFiles extends PTransform<PBegin, PCollectionTuple> {
  private final SourceDef source;
  private final List<String> patterns;

  public ReadParquetFiles(SourceDef source, List<String> patterns) {
    this.source = source;
    this.patterns = List.copyOf(patterns);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    CheckFileSchemas.requireReadable(source, patterns, file -> ParquetFiles.checkedOrNull(source, file));
    return MatchFiles.decode(begin, patterns, new DecodeParquetFileFn(source));
  }

  static final class DecodeParquetFileFn extends AvroRecordsFn {
    DecodeParquetFileFn(SourceDef source) {
      super(source, "ReadParquetFiles");
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, MultiOutputReceiver out) {
      MatchResult.Metadata meta = file.getMetadata();
      String name = meta.resourceId().toString();
      String unreadable = ParquetFiles.unreadable(meta);
      if (unreadable != null) {
        dead(out, unreadable, "", name);
        return;
      }
      InputFile in = ParquetFiles.input(meta);
      ParquetMetadata metadata;
      try {
        metadata = ParquetFiles.metadata(in);
      } catch (IOException | RuntimeException e) {
        dead(out, "not a Parquet file, or cut short (its footer cannot be read): " + e.getMessage(), "", name);
        return;
      }
      String undecompressible;
      try {
        undecompressible = ParquetFiles.undecompressible(metadata, ParquetFiles.read(source));
      } catch (RuntimeException e) { // e.g. column metadata encrypted
        undecompressible = "cannot read its column chunks' metadata: " + e.getMessage();
      }
      if (undecompressible != null) {
        dead(out, undecompressible, "", name);
        return;
      }
      ParquetFiles.Schemas schemas;
      List<SchemaEvolution.Change> problems;
      try {
        schemas = ParquetFiles.Schemas.of(metadata.getFileMetaData(), ParquetFiles.named(source, metadata.getFileMetaData()));
        problems = SchemaEvolution.problems(source, schemas.checked(source));
      } catch (RuntimeException e) {
        dead(out, "its columns cannot be read as the definition says: " + e.getMessage(), "", name);
        return;
      }
      if (!problems.isEmpty()) {
        // the file appeared after the pipeline was built, with a schema the definition cannot read
        dead(out, "written with a schema the definition cannot read: "
            + problems.stream().map(SchemaEvolution.Change::message).collect(Collectors.joining("; ")),
            "", name);
        return;
      }
      ParquetReader<GenericRecord> rows;
      try {
        rows = ParquetFiles.rows(in, ParquetFiles.projection(source, schemas.read()));
      } catch (IOException | RuntimeException e) {
        dead(out, "cannot read its rows: " + e.getMessage(), "", name);
        return;
      }
      // only reading is guarded: a failure downstream of a row fails the bundle, as for any step
      long n = 0;
      try {
        while (true) {
          GenericRecord row;
          try {
            row = rows.read();
          } catch (IOException | RuntimeException e) {
            dead(out, "corrupt Parquet data after row " + n + ": " + e.getMessage(), "", name + "#" + (n + 1));
            return;
          }
          if (row == null) {
            return;
          }
          n++;
          String origin = name + "#" + n;
          try {
            emit(out, schemas.decode(row), origin);
          } catch (BadRecordException e) {
            dead(out, e.getMessage(), AvroRecordDecoder.toJson(row), origin);
          }
        }
      } finally {
        closeQuietly(rows);
      }
    }

    /** Every row was read or dead-lettered before: a read-only file failing to close loses nothing. */
    private static void closeQuietly(ParquetReader<GenericRecord> rows) {
      try {
        rows.close();
      } catch (IOException e) {
        // nothing to do
      }
    }
  }
}
