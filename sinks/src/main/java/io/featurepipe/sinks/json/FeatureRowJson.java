package io.featurepipe.sinks.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;

/**
 * Feature rows as flat JSON objects: the entity key columns, {@code window_end} (ISO-8601 UTC),
 * then every feature by name; timestamps as ISO-8601, lists as arrays. Used for readable outputs
 * and by {@code featurepipe get}.
 */
public final class FeatureRowJson implements Serializable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final FeatureRepository repository;

  public FeatureRowJson(FeatureRepository repository) {
    this.repository = repository;
  }

  public String toJson(FeatureRow row) {
    FeatureGroupDef group = repository.group(row.group());
    EntityDef entity = repository.entity(group.entity());
    ObjectNode o = JSON.createObjectNode();
    o.put("group", row.group());
    o.put("version", row.version());
    for (int i = 0; i < entity.keys().size(); i++) {
      put(o, entity.keys().get(i).name(), row.key().get(i), entity.keys().get(i).type());
    }
    o.put("window_end", Instant.ofEpochMilli(row.windowEndMillis()).toString());
    List<FeatureDef> features = group.features();
    for (int f = 0; f < features.size(); f++) {
      FeatureDef fd = features.get(f);
      Object v = row.values()[f];
      if (fd.outputType().list()) {
        ArrayNode a = o.putArray(fd.name());
        for (Object e : (List<?>) v) {
          add(a, e, fd.outputType().element());
        }
      } else {
        put(o, fd.name(), v, fd.outputType().element());
      }
    }
    return o.toString();
  }

  private static void put(ObjectNode o, String name, Object v, ColumnType type) {
    if (v == null) {
      o.putNull(name);
    } else if (type == ColumnType.TIMESTAMP) {
      o.put(name, timestamp((Long) v));
    } else if (v instanceof Long l) {
      o.put(name, l);
    } else if (v instanceof Double d) {
      o.put(name, d);
    } else if (v instanceof Boolean b) {
      o.put(name, b);
    } else {
      o.put(name, v.toString());
    }
  }

  private static void add(ArrayNode a, Object v, ColumnType type) {
    if (v == null) {
      a.addNull();
    } else if (type == ColumnType.TIMESTAMP) {
      a.add(timestamp((Long) v));
    } else if (v instanceof Long l) {
      a.add(l);
    } else if (v instanceof Double d) {
      a.add(d);
    } else if (v instanceof Boolean b) {
      a.add(b);
    } else {
      a.add(v.toString());
    }
  }

  static String timestamp(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)).toString();
  }
}
