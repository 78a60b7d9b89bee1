package io.featurepipe.pipelines.training;

import io.featurepipe.pipelines.ingest.parquet.ParquetRows;
import io.featurepipe.sinks.training.FeatureSelection;
import io.featurepipe.sinks.training.SpineRow;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.record.DeadLetter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Reads a spine ({@link SpineLayout}: CSV, JSON lines or Avro) into {@link SpineRow}s, and every
 * line or record that cannot be used — a missing or unreadable timestamp, a missing key, a value
 * that does not fit its column — into a dead letter with {@code file:line} (Avro: {@code
 * file:#record}), the raw line and the reason. Counters {@code spine_rows_read} and {@code
 * spine_dead_letters}.
 *
 * <p>Row ids number the rows in spine order: file index (files in name order) times 2<sup>40</sup>
 * plus the line (or record) number. Each file is read whole by one worker, line by line.
 */
public final class ReadSpine extends PTransform<PBegin, PCollectionTuple> {
  public static final TupleTag<SpineRow> ROWS = new TupleTag<>("spineRows") {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("spineDeadLetters") {};
  public static final String STEP = "ReadSpine";

  private final SpineLayout layout;
  private final FeatureSelection selection;

  private ReadSpine(SpineLayout layout, FeatureSelection selection) {
    this.layout = layout;
    this.selection = selection;
  }

  public static ReadSpine of(SpineLayout layout, FeatureSelection selection) {
    return new ReadSpine(layout, selection);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    List<KV<Long, String>> files = new ArrayList<>();
    for (int i = 0; i < layout.files().size(); i++) {
      files.add(KV.of((long) i, layout.files().get(i)));
    }
    PCollectionTuple out =
        begin
            .apply("SpineFiles", Create.of(files).withCoder(KvCoder.of(VarLongCoder.of(), StringUtf8Coder.of())))
            .apply("SpreadFiles", Reshuffle.viaRandomKey())
            .apply(
                "DecodeSpine",
                ParDo.of(new ReadFileFn(layout, new SpineDecoder(layout, selection.keyColumns())))
                    .withOutputTags(ROWS, TupleTagList.of(DEAD_LETTERS)));
    out.get(ROWS).setCoder(SpineRow.Coder.of());
    out.get(DEAD_LETTERS).setCoder(DeadLetter.Coder.of());
    return out;
  }

  static final class ReadFileFn extends DoFn<KV<Long, String>, SpineRow> {
    private static final long LINES_PER_FILE = 1L << 40;

    private final SpineLayout layout;
    private final SpineDecoder decoder;
    private final Counter read = Metrics.counter("featurepipe", "spine_rows_read");
    private final Counter bad = Metrics.counter("featurepipe", "spine_dead_letters");

    ReadFileFn(SpineLayout layout, SpineDecoder decoder) {
      this.layout = layout;
      this.decoder = decoder;
    }

    @ProcessElement
    public void process(@Element KV<Long, String> file, MultiOutputReceiver out) throws IOException {
      long base = file.getKey() * LINES_PER_FILE;
      String name = file.getValue();
      if (layout.format() == SpineFormat.PARQUET) {
        readParquet(base, name, out);
        return;
      }
      try (InputStream in = SpineLayout.open(name)) {
        if (layout.format() == SpineFormat.AVRO) {
          readAvro(in, base, name, out);
        } else {
          readLines(in, base, name, out);
        }
      }
    }

    private void readLines(InputStream in, long base, String name, MultiOutputReceiver out) throws IOException {
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      List<String> header = null;
      String line;
      long number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        String origin = name + ":" + number;
        if (layout.format() == SpineFormat.CSV && header == null) {
          header = SpineLayout.headerOf(line);
          continue;
        }
        try {
          SpineRow row =
              layout.format() == SpineFormat.CSV
                  ? decoder.fromCsv(line, header, base + number, origin)
                  : decoder.fromJson(line, base + number, origin);
          emit(row, out);
        } catch (BadRecordException e) {
          reject(e.getMessage(), line, origin, out);
        }
      }
    }

    private void readAvro(InputStream in, long base, String name, MultiOutputReceiver out) throws IOException {
      try (DataFileStream<GenericRecord> stream =
          new DataFileStream<>(in, new GenericDatumReader<>(null, layout.schema()))) {
        long number = 0;
        while (stream.hasNext()) {
          number++;
          GenericRecord r;
          try {
            r = stream.next();
          } catch (AvroRuntimeException e) {
            throw new IOException("spine " + name + " record #" + number + " cannot be read in the schema of "
                + layout.files().get(0) + ": " + e.getMessage(), e);
          }
          String origin = name + ":#" + number;
          try {
            emit(decoder.fromAvro(r, base + number, origin), out);
          } catch (BadRecordException e) {
            reject(e.getMessage(), r.toString(), origin, out);
          }
        }
      }
    }

    private void readParquet(long base, String name, MultiOutputReceiver out) throws IOException {
      ParquetRows.read(name, (number, r, problem, raw) -> {
        String origin = name + ":#" + number;
        if (problem != null) {
          reject(problem.getMessage(), raw.get(), origin, out);
          return;
        }
        try {
          emit(decoder.fromAvro(r, base + number, origin), out);
        } catch (BadRecordException e) {
          reject(e.getMessage(), raw.get(), origin, out);
        }
      });
    }

    private void emit(SpineRow row, MultiOutputReceiver out) {
      read.inc();
      out.get(ROWS).output(row);
    }

    private void reject(String reason, String payload, String origin, MultiOutputReceiver out) {
      bad.inc();
      out.get(DEAD_LETTERS).output(new DeadLetter("spine", STEP, reason, payload, origin));
    }
  }
}
