package io.featurepipe.sinks.training;

import io.featurepipe.sinks.offline.OfflineLayout;
import io.featurepipe.sinks.offline.OfflineRecords;
import io.featurepipe.sinks.offline.Publication;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.record.FeatureRow;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.io.AvroSource;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.ReadAllViaFileBasedSourceTransform.SplitIntoRangesFn;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.range.OffsetRange;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * The byte ranges of the offline files to read for the partitions named by the input ({@code
 * <group>/v<version>/date=D}, as {@link OfflineLayout#partition}), each partition through the files
 * its {@code _PUBLISHED} names. A partition that is not published fails the run with a message
 * naming it: the training set needs its window ends and the store cannot say whether they were
 * empty.
 *
 * <p>Ranges, not rows: the step that reads a range ({@code Join/<group>/KeyOfflineRows}, {@link
 * #read}) drops the rows no spine row looks up as it decodes them, so only those looked up leave
 * it. On Flink a step with side inputs (the lookup filter is one) takes its input over the network
 * rather than chained to the step before: reading rows in one step and filtering them in the next
 * encoded, sent and decoded every row of the partitions, most of them only to be dropped.
 *
 * <p>Steps: {@code ListPublishedFiles}, then per group {@code FilesOf/<g>}, {@code Paths/<g>},
 * {@code Match/<g>}, {@code Open/<g>}, {@code Split/<g>} (ranges of about {@value
 * #RANGE_BYTES} bytes, as {@code AvroIO.readFiles} splits a file), {@code Spread/<g>} (a
 * reshuffle, so that the ranges spread over workers). Output: the ranges of each selected group,
 * one collection per group in selection order.
 */
final class RequestedRanges
    extends PTransform<PCollection<String>, PCollectionList<KV<FileIO.ReadableFile, OffsetRange>>> {
  /**
   * The bytes of a file one worker reads in one go, about (Beam's {@code AvroIO.readFiles} default;
   * a short tail joins the last range, and a range's reader finishes the block it ends in).
   */
  static final long RANGE_BYTES = 64L << 20;

  private final FeatureSelection selection;
  private final OfflineLayout layout;

  RequestedRanges(FeatureSelection selection, String offlineRoot) {
    this.selection = selection;
    this.layout = new OfflineLayout(offlineRoot);
  }

  @Override
  public PCollectionList<KV<FileIO.ReadableFile, OffsetRange>> expand(PCollection<String> partitions) {
    PCollection<KV<String, String>> files =
        partitions
            .apply("ListPublishedFiles", ParDo.of(new ListPublishedFilesFn(layout)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    List<PCollection<KV<FileIO.ReadableFile, OffsetRange>>> ranges = new ArrayList<>();
    for (FeatureGroupDef g : selection.groups()) {
      String name = g.name();
      ranges.add(
          files
              .apply("FilesOf/" + name, Filter.by((KV<String, String> f) -> f.getKey().equals(name)))
              .apply("Paths/" + name, Values.create())
              .apply("Match/" + name, FileIO.matchAll())
              .apply("Open/" + name, FileIO.readMatches())
              .apply("Split/" + name, ParDo.of(new SplitIntoRangesFn(RANGE_BYTES)))
              .apply("Spread/" + name, Reshuffle.viaRandomKey()));
    }
    return PCollectionList.of(ranges);
  }

  /**
   * Reads the rows of one range of an offline file of {@code records}' group (the records of the
   * Avro blocks that start in the range, as Beam's {@code AvroSource} splits a file), in file
   * order, and gives {@code out} those {@code filter} wants, decoded whole; the others are skipped
   * after their key and window end ({@link OfflineRecords#datumReader}). Returns the number of
   * records read, wanted or not.
   */
  static long read(OfflineRecords records, OfflineRecords.RowFilter filter, MatchResult.Metadata file,
      OffsetRange bytes, PipelineOptions options, Consumer<FeatureRow> out) throws IOException {
    AvroSource.DatumReaderFactory<FeatureRow> rows = (writer, reader) -> records.datumReader(filter);
    long n = 0;
    // the source is typed by the schema it is given; its records are what the datum reader returns
    @SuppressWarnings("unchecked")
    BoundedSource<FeatureRow> source = (BoundedSource<FeatureRow>) (BoundedSource<?>)
        AvroSource.from(file).withSchema(records.schema()).withDatumReaderFactory(rows)
            .createForSubrangeOfFile(file, bytes.getFrom(), bytes.getTo());
    try (BoundedSource.BoundedReader<FeatureRow> reader = source.createReader(options)) {
      for (boolean more = reader.start(); more; more = reader.advance()) {
        n++;
        FeatureRow row = reader.getCurrent();
        if (row != null) {
          out.accept(row);
        }
      }
    }
    return n;
  }

  /** (group, file) for every file a partition's publication names; fails on an unpublished one. */
  static final class ListPublishedFilesFn extends DoFn<String, KV<String, String>> {
    private final OfflineLayout layout;
    private final Counter partitionsRead = Metrics.counter("featurepipe", "training_partitions_read");

    ListPublishedFilesFn(OfflineLayout layout) {
      this.layout = layout;
    }

    @ProcessElement
    public void process(@Element String partition, OutputReceiver<KV<String, String>> out) throws IOException {
      String folder = layout.folder(partition);
      Publication pub = Publication.read(folder);
      if (pub == null) {
        String[] parts = partition.split("/");
        String date = parts[2].substring("date=".length());
        throw new IllegalStateException(
            "offline partition " + folder + " is not published: the training set needs group '" + parts[0]
                + "' (" + parts[1] + ") as of window ends on " + date + "; backfill that date first"
                + " (featurepipe backfill --from " + date + " --to " + date + ")");
      }
      partitionsRead.inc();
      for (String f : pub.files()) {
        out.output(KV.of(pub.group(), folder + "/" + f));
      }
    }
  }
}
