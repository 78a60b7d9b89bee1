package io.featurepipe.sinks.training;

import io.featurepipe.sinks.files.AvroFormat;
import io.featurepipe.sinks.files.FileFormat;
import io.featurepipe.sinks.files.TfRecordFormat;
import io.featurepipe.sinks.files.WritePartitionedFiles;
import io.featurepipe.sinks.files.WrittenPartition;
import io.featurepipe.transforms.model.FeatureGroupDef;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumWriter;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Writes joined rows as a training set under a folder: {@code part-NNNNN.avro} (Avro container
 * files, snappy, file metadata {@code featurepipe.features} and {@code featurepipe.versions}) or,
 * {@link #withFormat with the TFRecord format}, {@code part-NNNNN.tfrecord} ({@code tf.Example}
 * records, {@link TfExamples}), and,
 * once they are all written, {@value #SCHEMA_FILE} (the Avro schema) and {@value #FEATURES_FILE}
 * ({@link FeatureList}) beside them. Part files (of either format) of an earlier run in the folder that this run did
 * not write are deleted after. Output: the written files and row count.
 *
 * <pre>{@code
 * joined.apply("WriteTrainingSet", WriteTrainingSet.to(outputDir, schema, "event_time"));
 * joined.apply("WriteTrainingSet", WriteTrainingSet.to(outputDir, schema, "event_time").withFormat(TrainingFormat.TFRECORD));
 * }</pre>
 */
public final class WriteTrainingSet extends PTransform<PCollection<JoinedRow>, PCollection<WrittenPartition>> {
  public static final String SCHEMA_FILE = "training.avsc";
  public static final String FEATURES_FILE = "features.json";
  public static final String PREFIX = "part";

  private final String outputDir;
  private final TrainingSchema schema;
  private final String spineTimestamp;
  private final TrainingFormat format;

  private WriteTrainingSet(String outputDir, TrainingSchema schema, String spineTimestamp, TrainingFormat format) {
    this.outputDir = outputDir.endsWith("/") ? outputDir.substring(0, outputDir.length() - 1) : outputDir;
    this.schema = schema;
    this.spineTimestamp = spineTimestamp;
    this.format = format;
  }

  public static WriteTrainingSet to(String outputDir, TrainingSchema schema, String spineTimestamp) {
    if (outputDir == null || outputDir.isBlank()) {
      throw new IllegalArgumentException("the training set's output folder is empty");
    }
    return new WriteTrainingSet(outputDir, schema, spineTimestamp, TrainingFormat.AVRO);
  }

  /** The part files' format (default Avro). */
  public WriteTrainingSet withFormat(TrainingFormat format) {
    return new WriteTrainingSet(outputDir, schema, spineTimestamp, format);
  }

  @Override
  public PCollection<WrittenPartition> expand(PCollection<JoinedRow> rows) {
    Map<String, String> metadata = new LinkedHashMap<>();
    List<String> features = new ArrayList<>();
    schema.selection().features().forEach(s -> features.add(s.group().name() + ":" + s.feature().name()));
    List<String> versions = new ArrayList<>();
    for (FeatureGroupDef g : schema.selection().groups()) {
      versions.add(g.name() + "=" + g.version());
    }
    metadata.put("featurepipe.features", String.join(",", features));
    metadata.put("featurepipe.versions", String.join(",", versions));
    TrainingSchema s = schema;
    FileFormat<JoinedRow> files =
        format == TrainingFormat.AVRO
            ? new AvroFormat<JoinedRow>(new RowEncoding(s), r -> metadata)
            : new TfRecordFormat<JoinedRow>(r -> TfExamples.bytes(s.toAvro(r)));
    PCollection<WrittenPartition> written =
        rows.apply(
            format == TrainingFormat.AVRO ? "WriteAvro" : "WriteTfRecord",
            WritePartitionedFiles.to(outputDir, PREFIX, files, r -> ""));
    PCollectionView<List<WrittenPartition>> view = written.apply("WrittenFiles", View.asList());
    rows.getPipeline()
        .apply("TrainingSetFolder", Create.of(outputDir).withCoder(StringUtf8Coder.of()))
        .apply(
            "WriteSchemaAndFeatures",
            ParDo.of(new FinishFn(view, schema.schema().toString(true), FeatureList.toJson(schema, spineTimestamp)))
                .withSideInputs(view));
    return written;
  }

  /** Training rows in the training set's schema, by its own datum writer ({@link TrainingSchema#datumWriter}). */
  private record RowEncoding(TrainingSchema schema) implements AvroFormat.Encoding<JoinedRow> {
    @Override
    public Schema schema(JoinedRow first) {
      return schema.schema();
    }

    @Override
    public DatumWriter<JoinedRow> writer(JoinedRow first, Schema given) {
      return schema.datumWriter();
    }
  }

  /** Writes the schema and feature list once the data is written, and removes stale part files. */
  static final class FinishFn extends DoFn<String, Void> {
    private final PCollectionView<List<WrittenPartition>> written;
    private final String schemaJson;
    private final String featuresJson;
    private final Counter rowsWritten = Metrics.counter("featurepipe", "training_rows_written");

    FinishFn(PCollectionView<List<WrittenPartition>> written, String schemaJson, String featuresJson) {
      this.written = written;
      this.schemaJson = schemaJson;
      this.featuresJson = featuresJson;
    }

    @ProcessElement
    public void process(@Element String dir, ProcessContext c) throws IOException {
      Set<String> keep = new HashSet<>();
      for (WrittenPartition w : c.sideInput(written)) {
        w.files().forEach(f -> keep.add(f.substring(f.lastIndexOf('/') + 1)));
        rowsWritten.inc(w.elements());
      }
      write(dir + "/" + SCHEMA_FILE, schemaJson + "\n");
      write(dir + "/" + FEATURES_FILE, featuresJson);
      MatchResult m = FileSystems.match(dir + "/" + PREFIX + "-*");
      List<ResourceId> stale = new ArrayList<>();
      if (m.status() == MatchResult.Status.OK) {
        for (MatchResult.Metadata md : m.metadata()) {
          String name = md.resourceId().getFilename();
          boolean part = java.util.Arrays.stream(TrainingFormat.values()).anyMatch(f -> name.endsWith(f.extension()));
          if (part && !keep.contains(name)) {
            stale.add(md.resourceId());
          }
        }
      }
      FileSystems.delete(stale, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    }

    private static void write(String path, String content) throws IOException {
      ResourceId file = FileSystems.matchNewResource(path, false);
      try (WritableByteChannel ch = FileSystems.create(file, MimeTypes.TEXT);
          OutputStream out = Channels.newOutputStream(ch)) {
        out.write(content.getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
