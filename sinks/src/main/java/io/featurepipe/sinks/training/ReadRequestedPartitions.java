package io.featurepipe.sinks.training;

import io.featurepipe.sinks.offline.OfflineLayout;
import io.featurepipe.sinks.offline.OfflineRecords;
import io.featurepipe.sinks.offline.Publication;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.record.FeatureRow;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * Reads the rows of the offline partitions named by the input ({@code <group>/v<version>/date=D},
 * as {@link OfflineLayout#partition}), each through the files its {@code _PUBLISHED} names. A
 * partition that is not published fails the run with a message naming it: the training set needs
 * its window ends and the store cannot say whether they were empty.
 *
 * <p>Files are read per group with Beam's {@code AvroIO.readFiles} (split and spread over workers)
 * in the group's offline schema. Steps: {@code ListPublishedFiles}, then per group {@code
 * FilesOf/<g>}, {@code Match/<g>}, {@code Open/<g>}, {@code ReadAvro/<g>}, {@code ToRows/<g>}.
 * Output: the rows of each selected group, one collection per group in selection order.
 */
final class ReadRequestedPartitions extends PTransform<PCollection<String>, PCollectionList<FeatureRow>> {
  private final FeatureSelection selection;
  private final OfflineLayout layout;

  ReadRequestedPartitions(FeatureSelection selection, String offlineRoot) {
    this.selection = selection;
    this.layout = new OfflineLayout(offlineRoot);
  }

  @Override
  public PCollectionList<FeatureRow> expand(PCollection<String> partitions) {
    PCollection<KV<String, String>> files =
        partitions
            .apply("ListPublishedFiles", ParDo.of(new ListPublishedFilesFn(layout)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    List<PCollection<FeatureRow>> rows = new ArrayList<>();
    for (FeatureGroupDef g : selection.groups()) {
      String name = g.name();
      OfflineRecords records = new OfflineRecords(g, selection.entityOf(g));
      rows.add(
          files
              .apply("FilesOf/" + name, Filter.by((KV<String, String> f) -> f.getKey().equals(name)))
              .apply("Paths/" + name, Values.create())
              .apply("Match/" + name, FileIO.matchAll())
              .apply("Open/" + name, FileIO.readMatches())
              .apply("ReadAvro/" + name, AvroIO.readFilesGenericRecords(records.schema()))
              .apply("ToRows/" + name, ParDo.of(new ToRowFn(records)))
              .setCoder(FeatureRow.Coder.of()));
    }
    return PCollectionList.of(rows);
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

  static final class ToRowFn extends DoFn<GenericRecord, FeatureRow> {
    private final OfflineRecords records;
    private final Counter read = Metrics.counter("featurepipe", "training_offline_rows_read");

    ToRowFn(OfflineRecords records) {
      this.records = records;
    }

    @ProcessElement
    public void process(@Element GenericRecord r, OutputReceiver<FeatureRow> out) {
      read.inc();
      out.output(records.fromAvro(r));
    }
  }
}
