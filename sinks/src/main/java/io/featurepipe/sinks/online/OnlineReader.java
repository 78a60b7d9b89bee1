package io.featurepipe.sinks.online;

import static com.google.cloud.bigtable.data.v2.models.Filters.FILTERS;

import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import com.google.cloud.bigtable.data.v2.models.Filters.Filter;
import com.google.cloud.bigtable.data.v2.models.Filters.InterleaveFilter;
import com.google.cloud.bigtable.data.v2.models.Query;
import com.google.cloud.bigtable.data.v2.models.Row;
import com.google.cloud.bigtable.data.v2.models.RowCell;
import com.google.cloud.bigtable.data.v2.models.TableId;
import com.google.protobuf.ByteString;
import io.featurepipe.transforms.compute.CompiledGroup;
import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.time.TimeRules;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads feature values from the online store by the time rules of DESIGN §3, through the official
 * {@link BigtableDataClient}: many keys and many groups in one call.
 *
 * <p>For each group, as of time {@code t} (full precision): {@code e(t) =
 * TimeRules.windowEndAsOf(t)}, {@code e* = min(e(t), M)} with M the group's watermark cell; each
 * feature is its latest cell at or before {@code e*} no older than {@code e* - longest window} (a
 * timestamp-range filter, because Bigtable's GC is lazy), or the feature's empty value when there
 * is none. One read of the groups' metadata rows, then one multi-row read of every key.
 *
 * <p>Retention: a read whose {@code e(t)} is older than {@code M - retention} fails with a message
 * saying how far back the store reaches; it never answers "empty". The store's "now" for this check
 * is its watermark M (store time), not the wall clock, so history replayed into a store (the
 * January 2026 sample data, today) reads as it would have then. Reads "as of now" use the wall
 * clock for {@code t}: they return the latest written window end, {@code e* = M}.
 *
 * <pre>{@code
 * try (OnlineReader reader = OnlineReader.open(target, repository)) {
 *   List<Map<String, OnlineValues>> rows =
 *       reader.readAsOf(List.of(Map.of("user_id", "u1")), List.of("user_spend"), tNanos);
 *   rows.get(0).get("user_spend").values().get("txn_count_1d");
 * }
 * }</pre>
 */
public final class OnlineReader implements AutoCloseable {
  private final BigtableTarget target;
  private final FeatureRepository repository;
  private final Duration retention;
  private final BigtableDataClient client;
  private final Map<String, Object[]> emptyValues = new HashMap<>();

  private OnlineReader(BigtableTarget target, FeatureRepository repository, Duration retention, BigtableDataClient client) {
    this.target = target;
    this.repository = repository;
    this.retention = retention;
    this.client = client;
    for (FeatureGroupDef g : repository.allGroups()) {
      emptyValues.put(g.name(), CompiledGroup.of(repository, g).emptyValues());
    }
  }

  /** A reader with the default as-of retention ({@link PrepareOnlineStore#DEFAULT_RETENTION}). */
  public static OnlineReader open(BigtableTarget target, FeatureRepository repository) throws IOException {
    return open(target, repository, PrepareOnlineStore.DEFAULT_RETENTION);
  }

  /** A reader of a store prepared with {@code retention}. */
  public static OnlineReader open(BigtableTarget target, FeatureRepository repository, Duration retention)
      throws IOException {
    if (retention == null || retention.isNegative()) {
      throw new IllegalArgumentException("the as-of retention must be >= 0, not " + retention);
    }
    return new OnlineReader(target, repository, retention, BigtableDataClient.create(target.dataSettings()));
  }

  /** {@link #readAsOf} with {@code t} = now (wall clock). */
  public List<Map<String, OnlineValues>> read(List<Map<String, Object>> keys, List<String> groups) {
    Instant now = Instant.now();
    return readAsOf(keys, groups, Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano()));
  }

  /**
   * The values of {@code groups} for each key as of {@code tNanos} (epoch nanoseconds). A key is a
   * map from entity key column to value (the Java type of the column); it must hold the key columns
   * of every group's entity. Returns, per key in the given order, the values of each group by name.
   */
  public List<Map<String, OnlineValues>> readAsOf(List<Map<String, Object>> keys, List<String> groups, long tNanos) {
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("no feature groups to read");
    }
    List<FeatureGroupDef> defs = new ArrayList<>();
    for (String name : new LinkedHashSet<>(groups)) {
      FeatureGroupDef g = repository.group(name);
      if (!g.online()) {
        throw new IllegalArgumentException("feature group '" + name + "' is not online (online: false)");
      }
      defs.add(g);
    }
    Map<String, StoreMetadata.GroupState> meta = StoreMetadata.read(client, target.table(), defs);
    Map<String, long[]> ends = new HashMap<>(); // group -> {e(t), e*}
    List<Filter> perGroup = new ArrayList<>();
    for (FeatureGroupDef g : defs) {
      Long m = meta.get(g.name()).watermarkMillis();
      if (m == null) {
        throw new IllegalStateException(
            "the online store " + target + " has no watermark for group '" + g.name() + "' version "
                + g.version() + ": nothing has been written for it yet (run materialize, backfill or a stream)");
      }
      long hop = TimeRules.millis(g.hop());
      long et = TimeRules.windowEndAsOf(tNanos, g.availabilityDelay(), hop);
      long eStar = Math.min(et, m);
      if (eStar < m - retention.toMillis()) {
        throw new IllegalStateException(
            "a read of group '" + g.name() + "' as of " + instant(tNanos) + " needs window end " + Instant.ofEpochMilli(eStar)
                + ", older than the online store keeps: its retention is " + retention + " before its watermark "
                + Instant.ofEpochMilli(m) + ", so it reaches back to " + Instant.ofEpochMilli(m - retention.toMillis())
                + "; read the offline store (training-set) for older times");
      }
      ends.put(g.name(), new long[] {et, eStar});
      long oldest = Math.max(0, eStar - TimeRules.millis(g.longestWindow()));
      perGroup.add(
          FILTERS.chain()
              .filter(FILTERS.family().exactMatch(OnlineLayout.family(g)))
              .filter(FILTERS.timestamp().range()
                  .startClosed(OnlineLayout.cellTimestamp(oldest))
                  .endOpen(OnlineLayout.cellTimestamp(eStar) + 1))
              .filter(FILTERS.limit().cellsPerColumn(1)));
    }
    // the row key of every (key, group's entity)
    List<Map<String, ByteString>> rowKeys = new ArrayList<>();
    Set<ByteString> distinct = new LinkedHashSet<>();
    for (Map<String, Object> key : keys) {
      Map<String, ByteString> byGroup = new HashMap<>();
      for (FeatureGroupDef g : defs) {
        ByteString rowKey = OnlineLayout.rowKey(repository.entity(g.entity()), entityKey(repository.entity(g.entity()), key));
        byGroup.put(g.name(), rowKey);
        distinct.add(rowKey);
      }
      rowKeys.add(byGroup);
    }
    Map<ByteString, Row> found = new HashMap<>();
    if (!distinct.isEmpty()) {
      Query query = Query.create(TableId.of(target.table()));
      distinct.forEach(query::rowKey);
      if (perGroup.size() == 1) {
        query.filter(perGroup.get(0));
      } else {
        InterleaveFilter any = FILTERS.interleave();
        perGroup.forEach(any::filter);
        query.filter(any);
      }
      for (Row row : client.readRows(query)) {
        found.put(row.getKey(), row);
      }
    }
    List<Map<String, OnlineValues>> out = new ArrayList<>();
    for (Map<String, ByteString> byGroup : rowKeys) {
      Map<String, OnlineValues> values = new LinkedHashMap<>();
      for (FeatureGroupDef g : defs) {
        values.put(g.name(), values(g, found.get(byGroup.get(g.name())), ends.get(g.name())));
      }
      out.add(values);
    }
    return out;
  }

  private OnlineValues values(FeatureGroupDef g, Row row, long[] ends) {
    String family = OnlineLayout.family(g);
    Object[] empty = emptyValues.get(g.name());
    Map<String, Object> values = new LinkedHashMap<>();
    List<FeatureDef> features = g.features();
    for (int f = 0; f < features.size(); f++) {
      FeatureDef fd = features.get(f);
      Object v = empty[f];
      if (row != null) {
        List<RowCell> cells = row.getCells(family, fd.name());
        if (!cells.isEmpty()) {
          v = CellValues.decode(cells.get(0).getValue(), fd.outputType(), "feature " + g.name() + "." + fd.name());
        }
      }
      values.put(fd.name(), v);
    }
    return new OnlineValues(g.name(), g.version(), values, ends[1], ends[1] == ends[0]);
  }

  private static List<Object> entityKey(EntityDef entity, Map<String, Object> key) {
    List<Object> out = new ArrayList<>();
    for (Field f : entity.keys()) {
      if (!key.containsKey(f.name())) {
        throw new IllegalArgumentException(
            "the key " + key + " has no column '" + f.name() + "' (entity '" + entity.name() + "' needs "
                + entity.keys().stream().map(Field::name).toList() + ")");
      }
      out.add(key.get(f.name()));
    }
    return out;
  }

  private static Instant instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }

  @Override
  public void close() {
    client.close();
  }
}
