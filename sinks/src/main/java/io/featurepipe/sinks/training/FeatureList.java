package io.featurepipe.sinks.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import java.util.List;

/**
 * The feature list written beside a training set ({@code features.json}): for each feature column,
 * its group, version, entity and keys, aggregation, aggregated column, window, hop, availability
 * delay and type, so a model can be traced to the exact definitions its inputs came from.
 *
 * <pre>{@code
 * {"spine_timestamp": "event_time", "spine_columns": ["user_id", ...], "features": [
 *   {"column": "txn_count_1d", "group": "user_spend", "version": "3f9a…", "feature": "txn_count_1d",
 *    "entity": "user", "keys": ["user_id"], "aggregation": "count", "input": null,
 *    "window": "1d", "window_millis": 86400000, "window_is_ttl": false, "hop": "1h",
 *    "availability_delay": "2m", "type": "int"}, …]}
 * }</pre>
 */
public final class FeatureList {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private FeatureList() {}

  /** The feature list of a training set whose spine timestamp column is {@code spineTimestamp}. */
  public static String toJson(TrainingSchema schema, String spineTimestamp) {
    ObjectNode root = JSON.createObjectNode();
    root.put("spine_timestamp", spineTimestamp);
    ArrayNode spine = root.putArray("spine_columns");
    schema.spineSchema().getFields().forEach(f -> spine.add(f.name()));
    ArrayNode features = root.putArray("features");
    List<FeatureSelection.Selected> selected = schema.selection().features();
    for (int i = 0; i < selected.size(); i++) {
      FeatureSelection.Selected s = selected.get(i);
      FeatureGroupDef g = s.group();
      FeatureDef f = s.feature();
      ObjectNode o = features.addObject();
      o.put("column", schema.featureColumns().get(i));
      o.put("group", g.name());
      o.put("version", g.version());
      o.put("feature", f.name());
      o.put("entity", g.entity());
      ArrayNode keys = o.putArray("keys");
      schema.selection().entityOf(g).keys().forEach(k -> keys.add(k.name()));
      o.put("aggregation", f.aggregation().toString());
      o.put("input", f.column());
      o.put("window", Durations.format(g.windowOf(f)));
      o.put("window_millis", g.windowOf(f).toMillis());
      o.put("window_is_ttl", f.window() == null);
      o.put("hop", Durations.format(g.hop()));
      o.put("availability_delay", Durations.format(g.availabilityDelay()));
      o.put("type", f.outputType().toString());
      if (f.description() != null) {
        o.put("description", f.description().trim());
      }
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
