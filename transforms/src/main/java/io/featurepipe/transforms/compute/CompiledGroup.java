package io.featurepipe.transforms.compute;

import io.featurepipe.transforms.aggregate.Accumulator;
import io.featurepipe.transforms.aggregate.Aggregators;
import io.featurepipe.transforms.model.Aggregation;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.time.TimeRules;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A feature group laid out for computation. Features that aggregate the same column the same way
 * share one tile <em>slot</em> whatever their windows (a 1-day and a 7-day sum of {@code amount}
 * read the same per-hop sums), so each event is added once per slot, never once per window.
 */
public final class CompiledGroup implements Serializable {

  /** One accumulator kind per tile: an aggregation over a column (index into {@link #columns()}, -1 for count). */
  public record Slot(Aggregation aggregation, ColumnType inputType, int column) implements Serializable {}

  private final FeatureGroupDef def;
  private final SourceDef source;
  private final long hopMillis;
  private final long longestWindowMillis;
  private final long allowedLatenessMillis;
  private final List<String> columns;
  private final List<Slot> slots;
  private final int[] featureSlot;
  private final long[] featureWindowMillis;
  private final int[] featureComputation;
  private final int[] computationFeature;

  private CompiledGroup(FeatureGroupDef def, SourceDef source) {
    this.def = def;
    this.source = source;
    this.hopMillis = TimeRules.millis(def.hop());
    this.longestWindowMillis = TimeRules.millis(def.longestWindow());
    this.allowedLatenessMillis = TimeRules.millis(source.allowedLateness());
    Map<String, Integer> columnIndex = new LinkedHashMap<>();
    Map<Slot, Integer> slotIndex = new LinkedHashMap<>();
    List<FeatureDef> features = def.features();
    this.featureSlot = new int[features.size()];
    this.featureWindowMillis = new long[features.size()];
    for (int f = 0; f < features.size(); f++) {
      FeatureDef feature = features.get(f);
      int column = -1;
      if (feature.column() != null) {
        column = columnIndex.computeIfAbsent(feature.column(), c -> columnIndex.size());
      }
      Slot slot = new Slot(feature.aggregation(), feature.inputType(), column);
      featureSlot[f] = slotIndex.computeIfAbsent(slot, s -> slotIndex.size());
      featureWindowMillis[f] = TimeRules.millis(def.windowOf(feature));
    }
    Map<List<Long>, Integer> computations = new LinkedHashMap<>();
    this.featureComputation = new int[features.size()];
    List<Integer> firstFeature = new ArrayList<>();
    for (int f = 0; f < features.size(); f++) {
      List<Long> id = List.of((long) featureSlot[f], featureWindowMillis[f]);
      Integer c = computations.get(id);
      if (c == null) {
        c = computations.size();
        computations.put(id, c);
        firstFeature.add(f);
      }
      featureComputation[f] = c;
    }
    this.computationFeature = firstFeature.stream().mapToInt(Integer::intValue).toArray();
    this.columns = List.copyOf(columnIndex.keySet());
    this.slots = List.copyOf(slotIndex.keySet());
  }

  public static CompiledGroup of(FeatureRepository repository, FeatureGroupDef group) {
    return new CompiledGroup(group, repository.source(group.source()));
  }

  public FeatureGroupDef def() {
    return def;
  }

  public SourceDef source() {
    return source;
  }

  public String name() {
    return def.name();
  }

  public long hopMillis() {
    return hopMillis;
  }

  public long longestWindowMillis() {
    return longestWindowMillis;
  }

  public long allowedLatenessMillis() {
    return allowedLatenessMillis;
  }

  /** The columns (source, derived or custom) the group aggregates, in first-use order. */
  public List<String> columns() {
    return columns;
  }

  public List<Slot> slots() {
    return slots;
  }

  public int featureCount() {
    return featureSlot.length;
  }

  public int slotOf(int feature) {
    return featureSlot[feature];
  }

  public long windowMillisOf(int feature) {
    return featureWindowMillis[feature];
  }

  /**
   * Features with the same slot and window have the same value; each distinct (slot, window) is
   * one computation, computed once per window end.
   */
  public int computationOf(int feature) {
    return featureComputation[feature];
  }

  public int computationCount() {
    return computationFeature.length;
  }

  /** A feature computed by computation {@code c} (its slot and window are the computation's). */
  public int featureOfComputation(int c) {
    return computationFeature[c];
  }

  /** A tile's slots, all empty. */
  public Accumulator[] newSlots() {
    Accumulator[] a = new Accumulator[slots.size()];
    for (int i = 0; i < a.length; i++) {
      Slot s = slots.get(i);
      a[i] = Aggregators.create(s.aggregation(), s.inputType());
    }
    return a;
  }

  /** Adds one event to a tile's slots. */
  public void add(Accumulator[] tile, TileInput input) {
    for (int i = 0; i < tile.length; i++) {
      int column = slots.get(i).column();
      tile[i].add(column < 0 ? null : input.values()[column], input.eventTimeNanos());
    }
  }

  /** The value of every feature over no events (DESIGN §2 empty values). */
  public Object[] emptyValues() {
    Accumulator[] empty = newSlots();
    Object[] values = new Object[featureSlot.length];
    for (int f = 0; f < values.length; f++) {
      values[f] = empty[featureSlot[f]].result();
    }
    return values;
  }

  /** Compiles every group of a repository, by name. */
  public static Map<String, CompiledGroup> all(FeatureRepository repository) {
    Map<String, CompiledGroup> out = new LinkedHashMap<>();
    for (FeatureGroupDef g : repository.allGroups()) {
      out.put(g.name(), of(repository, g));
    }
    return out;
  }

  @Override
  public String toString() {
    return "CompiledGroup{" + def.name() + "/" + def.version() + ", slots=" + slots + "}";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CompiledGroup c && c.def.equals(def) && c.source.equals(source);
  }

  @Override
  public int hashCode() {
    return Objects.hash(def.name(), def.version());
  }

  /** Groups in a list, for callers that iterate. */
  public static List<CompiledGroup> list(FeatureRepository repository) {
    return new ArrayList<>(all(repository).values());
  }
}
