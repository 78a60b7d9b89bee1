package io.featurepipe.sinks.offline;

import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * Reads the published offline rows of groups (their current versions) for a range of dates: only
 * the files the partitions' {@code _PUBLISHED} name. A date with no publication fails the read
 * (the range was never backfilled) unless {@link #allowingMissing()} is set.
 */
public final class ReadOffline extends PTransform<PBegin, PCollection<FeatureRow>> {
  private final FeatureRepository repository;
  private final OfflineLayout layout;
  private final List<String> groups;
  private final LocalDate from;
  private final LocalDate to;
  private final boolean allowMissing;

  private ReadOffline(FeatureRepository repository, String root, List<String> groups, LocalDate from, LocalDate to, boolean allowMissing) {
    this.repository = repository;
    this.layout = new OfflineLayout(root);
    this.groups = List.copyOf(groups);
    this.from = from;
    this.to = to;
    this.allowMissing = allowMissing;
  }

  public static ReadOffline of(FeatureRepository repository, String root, List<String> groups, LocalDate from, LocalDate to) {
    return new ReadOffline(repository, root, groups, from, to, false);
  }

  /** Dates never published read as empty instead of failing. */
  public ReadOffline allowingMissing() {
    return new ReadOffline(repository, layout.root(), groups, from, to, true);
  }

  @Override
  public PCollection<FeatureRow> expand(PBegin begin) {
    List<String> partitions = new ArrayList<>();
    for (String g : groups) {
      FeatureGroupDef def = repository.group(g);
      for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
        partitions.add(OfflineLayout.partition(def, d));
      }
    }
    return begin
        .apply("Partitions", Create.of(partitions).withCoder(StringUtf8Coder.of()))
        .apply("ListPublishedFiles", ParDo.of(new ListFilesFn(layout, allowMissing)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
        .apply("SpreadFiles", Reshuffle.viaRandomKey())
        .apply("ReadFiles", ParDo.of(new ReadFileFn(repository)))
        .setCoder(FeatureRow.Coder.of());
  }

  /** (group, file) for every file a partition's publication names. */
  static final class ListFilesFn extends DoFn<String, KV<String, String>> {
    private final OfflineLayout layout;
    private final boolean allowMissing;

    ListFilesFn(OfflineLayout layout, boolean allowMissing) {
      this.layout = layout;
      this.allowMissing = allowMissing;
    }

    @ProcessElement
    public void process(@Element String partition, OutputReceiver<KV<String, String>> out) throws IOException {
      String folder = layout.folder(partition);
      Publication pub = Publication.read(folder);
      if (pub == null) {
        if (allowMissing) {
          return;
        }
        throw new IllegalStateException(
            "offline partition " + folder + " is not published: backfill its date first");
      }
      for (String f : pub.files()) {
        out.output(KV.of(pub.group(), folder + "/" + f));
      }
    }
  }

  static final class ReadFileFn extends DoFn<KV<String, String>, FeatureRow> {
    private final FeatureRepository repository;
    private final Counter rows = Metrics.counter("featurepipe", "offline_rows_read");

    ReadFileFn(FeatureRepository repository) {
      this.repository = repository;
    }

    @ProcessElement
    public void process(@Element KV<String, String> file, OutputReceiver<FeatureRow> out) throws IOException {
      FeatureGroupDef def = repository.group(file.getKey());
      OfflineRecords records = new OfflineRecords(def, repository.entity(def.entity()));
      OfflineStore.readFile(
          records,
          file.getValue(),
          row -> {
            out.output(row);
            rows.inc();
          });
    }
  }
}
