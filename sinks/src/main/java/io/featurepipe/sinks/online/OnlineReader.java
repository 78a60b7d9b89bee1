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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads feature values from the online store by the time rules of DESIGN §3, through the official
 * {@link BigtableDataClient}: many keys and many groups in one call.
 *
 * <p>For each group, as of time {@code t} (full precision): {@code e(t) =
 * TimeRules.windowEndAsOf(t)}, {@code e* = min(e(t), M)} with M the group's watermark cell; each
 * feature is its latest cell at or before {@code e*} no older than {@code e* - longest window} (a
 * timestamp-range filter, because Bigtable's GC is lazy), or the feature's empty value when there
 * is none. The groups' metadata rows and every key's row are read at once (one round trip) when the
 * reader has read the groups' M before: the rows read is bounded by the M last seen, and its answer
 * stands when the M read with it gives the same {@code e*}; otherwise (a first read, or M moved) the
 * rows are read after the metadata.
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
  /** Each group's watermark M as this reader last read it (it only moves forward in a store). */
  private final Map<String, Long> lastWatermark = new ConcurrentHashMap<>();

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
   *
   * @throws IllegalArgumentException for a group that is not online or a key that lacks a column
   * @throws IllegalStateException when the store holds nothing for a group yet, or {@code t} is
   *     older than it keeps
   * @throws RuntimeException the client's {@code ApiException} when the store fails
   */
  public List<Map<String, OnlineValues>> readAsOf(List<Map<String, Object>> keys, List<String> groups, long tNanos) {
    return Futures.join(readAsOfAsync(keys, groups, tNanos));
  }

  /**
   * {@link #readAsOf} without blocking a thread: the reads run on the client's own threads (see the
   * class comment for when the metadata and the rows are read together), and the future completes
   * on the thread the last answer arrives on (callers that do real work there hand it to their own
   * executor). Argument errors are thrown at once; store errors and the {@code
   * IllegalStateException}s of {@link #readAsOf} complete the future exceptionally.
   */
  public CompletableFuture<List<Map<String, OnlineValues>>> readAsOfAsync(
      List<Map<String, Object>> keys, List<String> groups, long tNanos) {
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
    // the row key of every (key, group's entity): a key without a needed column fails before any read
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
    // The rows read needs e* = min(e(t), M), and M is in the metadata rows. When this reader has
    // seen every group's M before, both reads go out together: the rows read uses the bound
    // min(e(t), M last seen), and every cell up to that M had landed before it was seen (a writer
    // moves M only after its cells), so the rows read sees them all. Its answer stands when the M
    // read with it gives the same e*; when M has moved (or on a first read) the rows are read after
    // the metadata, with the e* it gives.
    Map<String, Long> sentWith = watermarksSeen(defs); // null unless every group's M was seen
    Map<String, Long> bounds = new HashMap<>(); // per group min(e(t), M seen): the early rows read's e
    if (sentWith != null) {
      for (FeatureGroupDef g : defs) {
        bounds.put(g.name(), Math.min(TimeRules.windowEndAsOf(tNanos, g.availabilityDelay(), TimeRules.millis(g.hop())), sentWith.get(g.name())));
      }
    }
    CompletableFuture<Map<String, StoreMetadata.GroupState>> meta = Futures.of(StoreMetadata.readAsync(client, target.table(), defs))
        .thenApply(m -> {
          m.forEach((g, state) -> {
            Long now = state.watermarkMillis();
            if (now != null) {
              // reads finish out of order: keep the highest M seen, unless this read's M is below the
              // one it was sent with (read after it was seen, so the store was reset)
              Long was = sentWith == null ? null : sentWith.get(g);
              lastWatermark.merge(g, now, was != null && now < was ? (old, n) -> n : Math::max);
            }
          });
          return m;
        });
    if (distinct.isEmpty()) {
      return meta.thenApply(m -> assemble(defs, rowKeys, ends(defs, m, tNanos), Map.of()));
    }
    CompletableFuture<Map<ByteString, Row>> early = sentWith == null ? null : rows(distinct, filter(defs, bounds));
    return (early == null ? meta.thenApply(m -> Map.entry(m, Map.<ByteString, Row>of())) : meta.thenCombine(early, Map::entry))
        .thenCompose(read -> {
          Map<String, StoreMetadata.GroupState> m = read.getKey();
          Map<String, long[]> e = ends(defs, m, tNanos);
          boolean stands = early != null;
          Map<String, Long> exact = new HashMap<>();
          for (FeatureGroupDef g : defs) {
            long eStar = e.get(g.name())[1];
            exact.put(g.name(), eStar);
            // M below the one seen: the store was reset, and "every cell up to it had landed" no longer holds
            stands = stands && eStar == bounds.get(g.name()) && m.get(g.name()).watermarkMillis() >= sentWith.get(g.name());
          }
          if (stands) {
            return CompletableFuture.completedFuture(assemble(defs, rowKeys, e, read.getValue()));
          }
          return rows(distinct, filter(defs, exact)).thenApply(found -> assemble(defs, rowKeys, e, found));
        });
  }

  private CompletableFuture<Map<ByteString, Row>> rows(Set<ByteString> rowKeys, Filter filter) {
    Query query = Query.create(TableId.of(target.table()));
    rowKeys.forEach(query::rowKey);
    query.filter(filter);
    return Futures.of(client.readRowsCallable().all().futureCall(query)).thenApply(rows -> {
      Map<ByteString, Row> found = new HashMap<>();
      rows.forEach(r -> found.put(r.getKey(), r));
      return found;
    });
  }

  /** Each group's M as this reader last read it, or null when a group's was never read. */
  private Map<String, Long> watermarksSeen(List<FeatureGroupDef> defs) {
    Map<String, Long> seen = new HashMap<>();
    for (FeatureGroupDef g : defs) {
      Long m = lastWatermark.get(g.name());
      if (m == null) {
        return null;
      }
      seen.put(g.name(), m);
    }
    return seen;
  }

  /** Per group {e(t), e*}, checking that the store holds the group and reaches back to e*. */
  private Map<String, long[]> ends(List<FeatureGroupDef> defs, Map<String, StoreMetadata.GroupState> meta, long tNanos) {
    Map<String, long[]> ends = new HashMap<>();
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
    }
    return ends;
  }

  /**
   * Each group's family, the newest cell of each column with timestamp in {@code [upTo - longest
   * window, upTo]} ({@code upTo}: the group's e*, millis; the lower bound because Bigtable's GC is lazy).
   */
  private static Filter filter(List<FeatureGroupDef> defs, Map<String, Long> upTo) {
    List<Filter> perGroup = new ArrayList<>();
    for (FeatureGroupDef g : defs) {
      long end = upTo.get(g.name());
      long oldest = Math.max(0, end - TimeRules.millis(g.longestWindow()));
      perGroup.add(
          FILTERS.chain()
              .filter(FILTERS.family().exactMatch(OnlineLayout.family(g)))
              .filter(FILTERS.timestamp().range()
                  .startClosed(OnlineLayout.cellTimestamp(oldest))
                  .endOpen(OnlineLayout.cellTimestamp(end) + 1))
              .filter(FILTERS.limit().cellsPerColumn(1)));
    }
    if (perGroup.size() == 1) {
      return perGroup.get(0);
    }
    InterleaveFilter any = FILTERS.interleave();
    perGroup.forEach(any::filter);
    return any;
  }

  private List<Map<String, OnlineValues>> assemble(
      List<FeatureGroupDef> defs, List<Map<String, ByteString>> rowKeys, Map<String, long[]> ends, Map<ByteString, Row> found) {
    List<Map<String, OnlineValues>> out = new ArrayList<>(rowKeys.size());
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
