package io.featurepipe.transforms.model;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A feature group ({@code kind: feature_group}): features of one entity computed from one source,
 * on one hop. Loaded and checked by {@link io.featurepipe.transforms.definitions.RepositoryLoader}.
 *
 * @param keys entity key column → CEL expression over the source row (often just a column name),
 *     in the entity's key order
 * @param filter a CEL boolean expression, or null
 * @param derive derived column → CEL expression, in definition order; later ones may use earlier ones
 * @param derivedTypes the type of each derived column (from CEL type checking and custom logic)
 * @param custom Java logic adding derived columns, or null
 * @param expect validation expectations per column, as written (checked by the validation module)
 * @param version a hash of everything that changes the group's values (DESIGN §2)
 */
public record FeatureGroupDef(
    String name,
    String description,
    String entity,
    String source,
    Map<String, String> keys,
    String filter,
    Map<String, String> derive,
    Map<String, ColumnType> derivedTypes,
    CustomLogic custom,
    Duration hop,
    Duration ttl,
    Duration availabilityDelay,
    List<FeatureDef> features,
    Map<String, Map<String, Object>> expect,
    boolean online,
    boolean offline,
    String version,
    Location location)
    implements Serializable {

  /** The window a feature aggregates over: its own, or the group's ttl when it names none. */
  public Duration windowOf(FeatureDef feature) {
    return feature.window() != null ? feature.window() : ttl;
  }

  /** The longest window of the group: how far back a window end looks. */
  public Duration longestWindow() {
    Duration longest = Duration.ZERO;
    for (FeatureDef f : features) {
      Duration w = windowOf(f);
      if (w.compareTo(longest) > 0) {
        longest = w;
      }
    }
    return longest;
  }

  public FeatureDef feature(String featureName) {
    for (FeatureDef f : features) {
      if (f.name().equals(featureName)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "feature group '" + name + "' has no feature '" + featureName + "'");
  }

  /** Offline directory and online column family name part: {@code v<version>}. */
  public String versionTag() {
    return "v" + version;
  }
}
