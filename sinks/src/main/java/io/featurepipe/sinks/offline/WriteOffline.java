package io.featurepipe.sinks.offline;

import io.featurepipe.sinks.files.AvroFormat;
import io.featurepipe.sinks.files.WritePartitionedFiles;
import io.featurepipe.sinks.files.WrittenPartition;
import io.featurepipe.transforms.group.EveryKey;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumWriter;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes feature rows into the offline store (DESIGN §4) for a range of dates and publishes each
 * partition: {@code <root>/<group>/v<version>/date=D/run-<id>-NNNNN.avro}, then {@code
 * _PUBLISHED} naming the run and its files, written last. Every (group, date) of the range is
 * published, with no file when it has no rows, so a rerun replaces a partition whole; files of
 * earlier runs in a republished partition are deleted after. Partitions outside the range are
 * never touched. Explicit empty rows are not stored.
 *
 * <p>Publishing waits until every partition of the run is written. Output: one {@link
 * Publication} per published partition.
 */
public final class WriteOffline extends PTransform<PCollection<FeatureRow>, PCollection<Publication>> {
  private static final Logger LOG = LoggerFactory.getLogger(WriteOffline.class);

  private final FeatureRepository repository;
  private final OfflineLayout layout;
  private final String runId;
  private final List<String> groups;
  private final LocalDate from;
  private final LocalDate to;
  private final PCollection<String> gate;

  private WriteOffline(
      FeatureRepository repository,
      String root,
      String runId,
      Collection<String> groups,
      LocalDate from,
      LocalDate to,
      PCollection<String> gate) {
    this.repository = repository;
    this.layout = new OfflineLayout(root);
    this.runId = runId;
    this.groups = List.copyOf(groups);
    this.from = from;
    this.to = to;
    this.gate = gate;
  }

  /** Writes the rows of {@code groups} whose window end falls on a date in {@code [from, to]}. */
  public static WriteOffline of(
      FeatureRepository repository, String root, String runId, Collection<String> groups, LocalDate from, LocalDate to) {
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("the range ends (" + to + ") before it starts (" + from + ")");
    }
    for (String g : groups) {
      repository.group(g);
    }
    return new WriteOffline(repository, root, runId, groups, from, to, null);
  }

  /**
   * Publishes only when the run's quality gate passes: {@code blockers} holds the reasons to block
   * (none to publish), and publishing waits until it is complete. A blocked run publishes nothing,
   * removes the data files it wrote, and leaves every earlier publication in force.
   */
  public WriteOffline withGate(PCollection<String> blockers) {
    return new WriteOffline(repository, layout.root(), runId, groups, from, to, blockers);
  }

  /** A run id: UTC time and a random suffix, e.g. {@code 20260105T101500-3fa2}. */
  public static String newRunId() {
    String time = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")
        .withZone(java.time.ZoneOffset.UTC)
        .format(Instant.now());
    return time + "-" + Integer.toHexString(new java.security.SecureRandom().nextInt(0x10000) | 0x10000).substring(1);
  }

  @Override
  public PCollection<Publication> expand(PCollection<FeatureRow> rows) {
    Map<String, OfflineRecords> records = new HashMap<>();
    Set<String> offline = new TreeSet<>();
    for (String g : groups) {
      FeatureGroupDef def = repository.group(g);
      records.put(g, new OfflineRecords(def, repository.entity(def.entity())));
      if (def.offline()) {
        offline.add(g);
      }
    }
    long start = OfflineLayout.startOf(from);
    long end = OfflineLayout.startOf(to.plusDays(1));
    String id = runId;
    PCollection<WrittenPartition> written =
        rows.apply(
                "SelectRange",
                Filter.by(
                    (FeatureRow r) ->
                        !r.empty()
                            && offline.contains(r.group())
                            && r.windowEndMillis() >= start
                            && r.windowEndMillis() < end))
            .apply(
                "WritePartitions",
                WritePartitionedFiles.to(
                    layout.root(),
                    "run-" + runId,
                    new AvroFormat<FeatureRow>(
                        new RowEncoding(records),
                        r -> Map.of("featurepipe.group", r.group(), "featurepipe.version", r.version(), "featurepipe.run", id)),
                    r -> OfflineLayout.partition(r.group(), r.version(), OfflineLayout.dateOf(r.windowEndMillis()))));
    List<String> partitions = new ArrayList<>();
    for (String g : offline) {
      for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
        partitions.add(OfflineLayout.partition(repository.group(g), d));
      }
    }
    KeyedPCollectionTuple<String> perPartition =
        KeyedPCollectionTuple.of(
            WRITTEN,
            written
                .apply("ByPartition", WithKeys.of(WrittenPartition::partition).withKeyType(TypeDescriptors.strings()))
                .setCoder(KvCoder.of(StringUtf8Coder.of(), written.getCoder())));
    if (gate != null) {
      // every reason to block, to every partition of the range
      perPartition =
          perPartition.and(
              BLOCKERS,
              gate.apply(
                      "BlockersOfEveryPartition",
                      FlatMapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
                          .via((String reason) -> partitions.stream().map(p -> KV.of(p, reason)).toList()))
                  .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())));
    }
    return perPartition
        .apply("PartitionsOfRange", EveryKey.of(partitions))
        .apply("Publish", ParDo.of(new PublishFn(layout, runId, gate != null)))
        .setCoder(Publication.Coder.of());
  }

  private static final TupleTag<WrittenPartition> WRITTEN = new TupleTag<>("written");
  private static final TupleTag<String> BLOCKERS = new TupleTag<>("blockers");

  /**
   * Publishes a partition of the range once everything is written and the gate decided: what was
   * written to it (if anything), and any reason to block the run.
   */
  static final class PublishFn extends DoFn<KV<String, CoGbkResult>, Publication> {
    private final OfflineLayout layout;
    private final String runId;
    private final Counter published = Metrics.counter("featurepipe", "partitions_published");
    private final Counter rowsPublished = Metrics.counter("featurepipe", "offline_rows_published");
    private final Counter blocked = Metrics.counter("featurepipe", "partitions_blocked");
    private final boolean gated;

    PublishFn(OfflineLayout layout, String runId, boolean gated) {
      this.layout = layout;
      this.runId = runId;
      this.gated = gated;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> element, OutputReceiver<Publication> out) throws IOException {
      String partition = element.getKey();
      WrittenPartition w = null;
      for (WrittenPartition p : element.getValue().getAll(WRITTEN)) {
        w = p;
      }
      String folder = layout.folder(partition);
      if (gated && element.getValue().getAll(BLOCKERS).iterator().hasNext()) {
        removeRunFiles(folder);
        blocked.inc();
        return;
      }
      List<String> files = new ArrayList<>();
      if (w != null) {
        for (String f : w.files()) {
          files.add(f.substring(f.lastIndexOf('/') + 1));
        }
      }
      String[] parts = partition.split("/");
      Publication pub =
          new Publication(
              parts[0],
              parts[1].substring(1),
              parts[2].substring("date=".length()),
              runId,
              files,
              w == null ? 0 : w.elements(),
              Instant.now().toString());
      pub.write(folder);
      removeOtherRuns(folder, files);
      published.inc();
      rowsPublished.inc(pub.rows());
      LOG.info("published {} {}: {} rows in {} file(s)", pub.group(), pub.date(), pub.rows(), files.size());
      out.output(pub);
    }

    /** Deletes this run's data files of a partition it may not publish. */
    private void removeRunFiles(String folder) throws IOException {
      MatchResult m = FileSystems.match(folder + "/run-" + runId + "-*");
      if (m.status() != MatchResult.Status.OK) {
        return;
      }
      List<ResourceId> mine = new ArrayList<>();
      m.metadata().forEach(md -> mine.add(md.resourceId()));
      FileSystems.delete(mine, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    }

    /** Deletes the data files of earlier runs in a partition now published by this one. */
    private void removeOtherRuns(String folder, List<String> keep) throws IOException {
      MatchResult m = FileSystems.match(folder + "/run-*");
      if (m.status() != MatchResult.Status.OK) {
        return;
      }
      List<ResourceId> old = new ArrayList<>();
      for (MatchResult.Metadata md : m.metadata()) {
        String name = md.resourceId().getFilename();
        if (!keep.contains(name) && !name.startsWith("run-" + runId + "-")) {
          old.add(md.resourceId());
        }
      }
      FileSystems.delete(old, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    }
  }

  /** Each group's rows in their offline schema, written by {@link OfflineRecords#datumWriter()}. */
  private record RowEncoding(Map<String, OfflineRecords> records) implements AvroFormat.Encoding<FeatureRow> {
    @Override
    public Schema schema(FeatureRow first) {
      return records.get(first.group()).schema();
    }

    @Override
    public DatumWriter<FeatureRow> writer(FeatureRow first, Schema schema) {
      return records.get(first.group()).datumWriter();
    }
  }
}
