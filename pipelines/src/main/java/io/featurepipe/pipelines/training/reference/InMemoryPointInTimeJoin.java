package io.featurepipe.pipelines.training.reference;

import io.featurepipe.transforms.compute.CompiledGroup;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.time.TimeRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The point-in-time join of DESIGN §3 in plain, single-threaded Java: offline rows in a hash map by
 * (group, key, window end), each spine row looked up at {@code e(t)} of each group. A baseline for
 * benchmarks and a cross-check of {@code JoinPointInTime}; it needs the offline rows of the groups
 * in memory.
 *
 * <pre>{@code
 * InMemoryPointInTimeJoin join = new InMemoryPointInTimeJoin(repository);
 * offlineRows.forEach(join::add);
 * Object v = join.valuesAsOf("user_spend", List.of("u0001"), tNanos)[featureIndex];
 * List<Object> row = join.join(tNanos, Map.of("user_id", "u0001"), List.of("user_spend:txn_count_1d"));
 * }</pre>
 */
public final class InMemoryPointInTimeJoin {
  private record Key(String group, List<Object> key, long windowEndMillis) {}

  private final FeatureRepository repository;
  private final Map<Key, Object[]> rows = new HashMap<>();
  private final Map<String, Object[]> empties = new HashMap<>();

  public InMemoryPointInTimeJoin(FeatureRepository repository) {
    this.repository = repository;
  }

  /** Adds an offline row (explicit empty rows are not stored, as in the offline store). */
  public void add(FeatureRow row) {
    if (!row.empty()) {
      rows.put(new Key(row.group(), row.key(), row.windowEndMillis()), row.values());
    }
  }

  /** The window end a group's values are read at for time {@code tNanos}. */
  public long windowEndAsOf(String group, long tNanos) {
    FeatureGroupDef g = repository.group(group);
    return TimeRules.windowEndAsOf(tNanos, g.availabilityDelay(), TimeRules.millis(g.hop()));
  }

  /** Every feature of a group for an entity key as of {@code tNanos}: its offline row at e(t), or the empty values. */
  public Object[] valuesAsOf(String group, List<Object> key, long tNanos) {
    Object[] values = rows.get(new Key(group, key, windowEndAsOf(group, tNanos)));
    if (values != null) {
      return values;
    }
    return empties.computeIfAbsent(group, g -> CompiledGroup.of(repository, repository.group(g)).emptyValues());
  }

  /**
   * The values of {@code features} ({@code group:feature} each) for one spine row: its time and
   * its key columns by name.
   */
  public List<Object> join(long tNanos, Map<String, Object> keyColumns, List<String> features) {
    List<Object> out = new ArrayList<>(features.size());
    for (String f : features) {
      String[] gf = f.split(":", 2);
      FeatureGroupDef g = repository.group(gf[0]);
      List<Object> key = new ArrayList<>();
      for (Field k : repository.entity(g.entity()).keys()) {
        key.add(keyColumns.get(k.name()));
      }
      out.add(valuesAsOf(g.name(), key, tNanos)[g.features().indexOf(g.feature(gf[1]))]);
    }
    return out;
  }
}
