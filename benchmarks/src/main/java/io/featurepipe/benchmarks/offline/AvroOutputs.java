package io.featurepipe.benchmarks.offline;

import io.featurepipe.benchmarks.offline.BenchFeatures.Feature;
import io.featurepipe.benchmarks.offline.BenchFeatures.Group;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;

/**
 * Outputs written as Avro with featurepipe's field names (featurepipe's own, and the plain-Java
 * baseline's): feature rows by group and date, training rows, read by field name.
 */
final class AvroOutputs implements EngineOutputs {

  /** The data files of a group's partition. */
  interface PartitionFiles {
    List<Path> of(Group group, LocalDate date) throws IOException;
  }

  /** The data files of the training set. */
  interface TrainingFiles {
    List<Path> get() throws IOException;
  }

  private final PartitionFiles partitions;
  private final TrainingFiles training;

  AvroOutputs(PartitionFiles partitions, TrainingFiles training) {
    this.partitions = partitions;
    this.training = training;
  }

  @Override
  public Map<String, Object[]> featureRows(Group g, Set<LocalDate> dates) throws IOException {
    Map<String, Object[]> out = new HashMap<>();
    for (LocalDate d : dates) {
      for (Path f : partitions.of(g, d)) {
        AvroFiles.read(f, r -> out.put(
            EngineOutputs.rowId(r.get(g.keyColumn()).toString(), Math.floorDiv((Long) r.get("window_end"), 1000L)),
            values(r, g.features())));
      }
    }
    return out;
  }

  @Override
  public Map<String, Object[]> trainingRows(Set<String> ids) throws IOException {
    Map<String, Object[]> out = new HashMap<>();
    List<Feature> features = BenchFeatures.trainingColumns();
    for (Path f : training.get()) {
      AvroFiles.read(f, r -> {
        String id = EngineOutputs.spineId(r.get("user_id").toString(), r.get("merchant_id").toString(), r.get("event_time").toString());
        if (ids.contains(id)) {
          out.put(id, values(r, features));
        }
      });
    }
    return out;
  }

  private static Object[] values(GenericRecord r, List<Feature> features) {
    Object[] v = new Object[features.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = EngineOutputs.normalize(r.get(features.get(i).name()), features.get(i).agg());
    }
    return v;
  }
}
