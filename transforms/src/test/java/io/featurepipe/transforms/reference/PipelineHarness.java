package io.featurepipe.transforms.reference;

import io.featurepipe.transforms.compute.ComputeFeatures;
import io.featurepipe.transforms.compute.FeatureOutputs;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.record.SourceRecordCoder;
import io.featurepipe.transforms.testing.Collected;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;

/** Applies {@link ComputeFeatures} to in-memory records (bounded) and collects its three outputs. */
final class PipelineHarness {
  private PipelineHarness() {}

  /** Where one application's outputs are collected; read them after the pipeline ran. */
  record Outputs(String rowsBox, String deadBox, String lateBox) {
    List<FeatureRow> rows() {
      return Collected.get(rowsBox);
    }

    List<DeadLetter> deadLetters() {
      return Collected.get(deadBox);
    }

    List<DeadLetter> lateEvents() {
      return Collected.get(lateBox);
    }

    void clear() {
      Collected.clear(rowsBox);
      Collected.clear(deadBox);
      Collected.clear(lateBox);
    }
  }

  static List<TimestampedValue<SourceRecord>> timestamped(List<SourceRecord> records) {
    List<TimestampedValue<SourceRecord>> out = new ArrayList<>(records.size());
    for (SourceRecord r : records) {
      out.add(TimestampedValue.of(r, new Instant(r.eventTimeMillis())));
    }
    return out;
  }

  /** The records as one {@code Create}. */
  static PCollection<SourceRecord> create(Pipeline p, String name, List<SourceRecord> records) {
    return p.apply(name, Create.timestamped(timestamped(records)).withCoder(SourceRecordCoder.of()));
  }

  /** The records cut into {@code parts} {@code Create}s of interleaved elements, flattened. */
  static PCollection<SourceRecord> createSplit(
      Pipeline p, String name, List<SourceRecord> records, int parts) {
    List<List<SourceRecord>> slices = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      slices.add(new ArrayList<>());
    }
    for (int i = 0; i < records.size(); i++) {
      slices.get((i * 7 + i / parts) % parts).add(records.get(i));
    }
    PCollectionList<SourceRecord> list = PCollectionList.empty(p);
    for (int i = 0; i < parts; i++) {
      list = list.and(create(p, name + "/Part" + i, slices.get(i)));
    }
    return list.apply(name + "/Flatten", Flatten.pCollections());
  }

  static Outputs compute(
      String name, FeatureRepository repository, List<String> groups, PCollection<SourceRecord> records) {
    FeatureOutputs out =
        PCollectionTuple.of(ComputeFeatures.sourceTag("events"), records)
            .apply(name + "/ComputeFeatures", ComputeFeatures.of(repository).withGroups(groups));
    String id = name + "-" + UUID.randomUUID();
    Outputs boxes = new Outputs(id + "/rows", id + "/dead", id + "/late");
    out.rows().apply(name + "/CollectRows", Collected.into(boxes.rowsBox()));
    out.deadLetters().apply(name + "/CollectDead", Collected.into(boxes.deadBox()));
    out.lateEvents().apply(name + "/CollectLate", Collected.into(boxes.lateBox()));
    return boxes;
  }
}
