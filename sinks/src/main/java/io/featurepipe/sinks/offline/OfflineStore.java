package io.featurepipe.sinks.offline;

import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileSystems;

/**
 * Reads published offline partitions without a pipeline: for commands that inspect a small part of
 * the store (summaries, audits, tests). Large reads go through {@link ReadOffline}.
 */
public final class OfflineStore {
  private final FeatureRepository repository;
  private final OfflineLayout layout;

  public OfflineStore(FeatureRepository repository, String root) {
    this.repository = repository;
    this.layout = new OfflineLayout(root);
  }

  /** The publication of a group's partition (its current version), or null when unpublished. */
  public Publication publication(String group, LocalDate date) throws IOException {
    return Publication.read(layout.folder(OfflineLayout.partition(repository.group(group), date)));
  }

  /**
   * The rows of a group's published partition (current version), in file order; fails when the
   * partition is not published.
   */
  public List<FeatureRow> rows(String group, LocalDate date) throws IOException {
    FeatureGroupDef def = repository.group(group);
    String folder = layout.folder(OfflineLayout.partition(def, date));
    Publication pub = Publication.read(folder);
    if (pub == null) {
      throw new IllegalStateException("offline partition " + folder + " is not published");
    }
    OfflineRecords records = new OfflineRecords(def, repository.entity(def.entity()));
    List<FeatureRow> rows = new ArrayList<>();
    for (String f : pub.files()) {
      readFile(records, folder + "/" + f, rows::add);
    }
    return rows;
  }

  /** Reads every row of one offline data file. */
  static void readFile(OfflineRecords records, String path, Consumer<FeatureRow> out)
      throws IOException {
    try (InputStream in =
            Channels.newInputStream(FileSystems.open(FileSystems.matchSingleFileSpec(path).resourceId()));
        DataFileStream<GenericRecord> stream =
            new DataFileStream<>(in, new GenericDatumReader<>(null, records.schema()))) {
      for (GenericRecord r : stream) {
        out.accept(records.fromAvro(r));
      }
    }
  }
}
