package io.featurepipe.transforms.compute;

import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Adds each event to the tile of its hop and key within the bundle, and emits one partial tile per
 * (group, key, hop) per bundle: the combiner-lifting step that keeps a hot key from sending every
 * one of its events through one worker. Window assembly then merges partial tiles, never events.
 *
 * <p>Each partial carries the timestamp of its earliest event, so the watermark downstream cannot
 * pass a window end before the partials holding its events have arrived.
 */
final class PreAggregateTiles extends DoFn<KV<GroupKey, TileInput>, KV<GroupKey, Tile>> {
  /** Flush within a bundle past this many open tiles, to bound memory on large bundles. */
  private static final int MAX_OPEN_TILES = 50_000;

  private final Map<String, CompiledGroup> groups;
  private final Counter events = Metrics.counter("featurepipe", "events_aggregated");
  private final Counter partials = Metrics.counter("featurepipe", "partial_tiles");
  private transient Map<TileId, Open> open;

  private record TileId(GroupKey key, long hopStart) {}

  private static final class Open {
    final Tile tile;
    long minTimestamp;

    Open(Tile tile, long minTimestamp) {
      this.tile = tile;
      this.minTimestamp = minTimestamp;
    }
  }

  PreAggregateTiles(Map<String, CompiledGroup> groups) {
    this.groups = groups;
  }

  @StartBundle
  public void startBundle() {
    open = new HashMap<>();
  }

  @ProcessElement
  public void process(@Element KV<GroupKey, TileInput> element, @Timestamp Instant ts, OutputReceiver<KV<GroupKey, Tile>> out) {
    GroupKey key = element.getKey();
    CompiledGroup group = groups.get(key.group());
    TileInput input = element.getValue();
    long start = io.featurepipe.transforms.time.TimeRules.hopStart(ts.getMillis(), group.hopMillis());
    Open o = open.computeIfAbsent(new TileId(key, start), id -> new Open(new Tile(start, group.newSlots()), Long.MAX_VALUE));
    group.add(o.tile.slots(), input);
    o.minTimestamp = Math.min(o.minTimestamp, ts.getMillis());
    events.inc();
    if (open.size() >= MAX_OPEN_TILES) {
      for (Map.Entry<TileId, Open> e : open.entrySet()) {
        out.outputWithTimestamp(KV.of(e.getKey().key(), e.getValue().tile), new Instant(e.getValue().minTimestamp));
        partials.inc();
      }
      open.clear();
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext c) {
    for (Map.Entry<TileId, Open> e : open.entrySet()) {
      c.output(KV.of(e.getKey().key(), e.getValue().tile), new Instant(e.getValue().minTimestamp), GlobalWindow.INSTANCE);
      partials.inc();
    }
    open.clear();
  }

  /** Flushing mid-bundle emits tiles whose earliest event precedes the current element. */
  @Override
  @SuppressWarnings("deprecation")
  public Duration getAllowedTimestampSkew() {
    return Duration.millis(Long.MAX_VALUE);
  }
}
