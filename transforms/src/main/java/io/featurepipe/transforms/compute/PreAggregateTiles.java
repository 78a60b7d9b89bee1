package io.featurepipe.transforms.compute;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Adds each event to the tile of its hop and key within the bundle, and emits each key's partial
 * tiles of the bundle together, one element per (group, key) per bundle, the tiles in hop order:
 * the combiner-lifting step that keeps a hot key from sending every one of its events through one
 * worker. Window assembly then merges partial tiles, never events.
 *
 * <p>One element per key rather than per tile: a key with few events per hop (a user in hourly
 * hops) gains little from merging events within a hop, but a bundle holds many of its hops, and
 * every element shuffled to window assembly costs its key's encoding twice (once to route it, once
 * to send it), a sort entry, and a read and write of the key's assembly metadata and its timer
 * (each tile still merges into its own entry of the key's tile map).
 *
 * <p>Each element carries the timestamp of the earliest event of its tiles, so the watermark
 * downstream cannot pass a window end before the partials holding its events have arrived.
 */
final class PreAggregateTiles extends DoFn<KV<GroupKey, TileInput>, KV<GroupKey, List<Tile>>> {
  /** Flush within a bundle past this many open tiles, to bound memory on large bundles. */
  private static final int MAX_OPEN_TILES = 50_000;

  private final Map<String, CompiledGroup> groups;
  private final Counter events = Metrics.counter("featurepipe", "events_aggregated");
  private final Counter partials = Metrics.counter("featurepipe", "partial_tiles");
  private final Counter batches = Metrics.counter("featurepipe", "partial_tile_batches");
  private transient Map<GroupKey, Open> open;
  private transient int openTiles;

  /** A key's open tiles, by hop start, and the timestamp of their earliest event. */
  private static final class Open {
    final Map<Long, Tile> tiles = new HashMap<>(4);
    long minTimestamp = Long.MAX_VALUE;
  }

  PreAggregateTiles(Map<String, CompiledGroup> groups) {
    this.groups = groups;
  }

  @StartBundle
  public void startBundle() {
    open = new HashMap<>();
    openTiles = 0;
  }

  @ProcessElement
  public void process(
      @Element KV<GroupKey, TileInput> element, @Timestamp Instant ts, OutputReceiver<KV<GroupKey, List<Tile>>> out) {
    GroupKey key = element.getKey();
    CompiledGroup group = groups.get(key.group());
    long start = io.featurepipe.transforms.time.TimeRules.hopStart(ts.getMillis(), group.hopMillis());
    Open o = open.computeIfAbsent(key, k -> new Open());
    Tile tile = o.tiles.get(start);
    if (tile == null) {
      tile = new Tile(start, group.newSlots());
      o.tiles.put(start, tile);
      openTiles++;
    }
    group.add(tile.slots(), element.getValue());
    o.minTimestamp = Math.min(o.minTimestamp, ts.getMillis());
    events.inc();
    if (openTiles >= MAX_OPEN_TILES) {
      flush((k, tiles, t) -> out.outputWithTimestamp(KV.of(k, tiles), t));
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext c) {
    flush((k, tiles, t) -> c.output(KV.of(k, tiles), t, GlobalWindow.INSTANCE));
  }

  private interface Emit {
    void emit(GroupKey key, List<Tile> tiles, Instant timestamp);
  }

  private void flush(Emit emit) {
    for (Map.Entry<GroupKey, Open> e : open.entrySet()) {
      List<Tile> tiles = new ArrayList<>(e.getValue().tiles.values());
      tiles.sort(Comparator.comparingLong(Tile::hopStartMillis));
      emit.emit(e.getKey(), tiles, new Instant(e.getValue().minTimestamp));
      partials.inc(tiles.size());
      batches.inc();
    }
    open.clear();
    openTiles = 0;
  }

  /** Flushing mid-bundle emits tiles whose earliest event precedes the current element. */
  @Override
  @SuppressWarnings("deprecation")
  public Duration getAllowedTimestampSkew() {
    return Duration.millis(Long.MAX_VALUE);
  }
}
