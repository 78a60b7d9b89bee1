package io.featurepipe.runners.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.StoreMetadata;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.RequestFeaturesDef;
import io.featurepipe.transforms.time.TimeRules;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code GET /health} says: whether the online store answers (one read of the groups'
 * metadata rows), and per online group its version, its watermark M (every window end {@code <= M}
 * is written), the window end a read now asks for ({@code e(now)}), whether reads now are fresh
 * ({@code M >= e(now)}) and by how much M lags; {@code fresh} at the top when every online group
 * is, with the others named in {@code stale_groups}. Also the versions of the request features.
 */
public final class StoreHealth implements AutoCloseable {
  private final BigtableTarget target;
  private final FeatureRepository repository;
  private final List<FeatureGroupDef> groups;
  private final BigtableDataClient client;

  public StoreHealth(BigtableTarget target, FeatureRepository repository) throws IOException {
    this.target = target;
    this.repository = repository;
    this.groups = repository.allGroups().stream().filter(FeatureGroupDef::online).toList();
    this.client = BigtableDataClient.create(target.dataSettings());
  }

  /** The health as of {@code now}; {@code status} is {@code ok} or {@code unavailable} (with {@code error}). */
  public ObjectNode check(Instant now) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("store", target.toString());
    Map<String, StoreMetadata.GroupState> meta;
    try {
      meta = StoreMetadata.read(client, target.table(), groups);
    } catch (RuntimeException e) {
      o.put("status", "unavailable");
      o.put("error", "the online store did not answer: " + FeatureLookup.shortReason(e));
      return o;
    }
    o.put("status", "ok");
    o.put("fresh", true);
    ArrayNode stale = o.putArray("stale_groups");
    ObjectNode byGroup = o.putObject("groups");
    long nowNanos = AsOf.nanos(now);
    for (FeatureGroupDef g : groups) {
      ObjectNode n = byGroup.putObject(g.name());
      n.put("version", g.version());
      long eNow = TimeRules.windowEndAsOf(nowNanos, g.availabilityDelay(), TimeRules.millis(g.hop()));
      n.put("window_end_now", Instant.ofEpochMilli(eNow).toString());
      Long m = meta.get(g.name()).watermarkMillis();
      if (m == null) {
        n.putNull("watermark");
        n.put("written", false);
        n.put("fresh", false);
      } else {
        n.put("watermark", Instant.ofEpochMilli(m).toString());
        n.put("written", true);
        n.put("fresh", m >= eNow);
        n.put("lag_seconds", Math.max(0, eNow - m) / 1000);
      }
      if (!n.get("fresh").asBoolean()) {
        stale.add(g.name());
        o.put("fresh", false);
      }
      Long s = meta.get(g.name()).streamStartMillis();
      if (s != null) {
        n.put("stream_start", Instant.ofEpochMilli(s).toString());
      }
    }
    ObjectNode requests = o.putObject("request_features");
    for (RequestFeaturesDef r : repository.requestFeatures().values()) {
      ObjectNode n = requests.putObject(r.name());
      n.put("version", r.version());
      r.reads().forEach(n.putArray("reads")::add);
    }
    return o;
  }

  @Override
  public void close() {
    client.close();
  }
}
