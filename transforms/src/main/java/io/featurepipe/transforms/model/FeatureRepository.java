package io.featurepipe.transforms.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A loaded, checked feature repository: its sources, entities, feature groups and request-time
 * features by name, in definition order.
 */
public record FeatureRepository(
    Map<String, SourceDef> sources,
    Map<String, EntityDef> entities,
    Map<String, FeatureGroupDef> groups,
    Map<String, RequestFeaturesDef> requestFeatures)
    implements Serializable {

  /** A repository without request-time features. */
  public FeatureRepository(
      Map<String, SourceDef> sources,
      Map<String, EntityDef> entities,
      Map<String, FeatureGroupDef> groups) {
    this(sources, entities, groups, Map.of());
  }

  public FeatureRepository {
    requestFeatures = requestFeatures == null ? Map.of() : requestFeatures;
  }

  public SourceDef source(String name) {
    return require(sources, name, "source");
  }

  public EntityDef entity(String name) {
    return require(entities, name, "entity");
  }

  public FeatureGroupDef group(String name) {
    return require(groups, name, "feature group");
  }

  /** The request-time features of that name ({@code kind: request_features}). */
  public RequestFeaturesDef requestFeatures(String name) {
    return require(requestFeatures, name, "request features");
  }

  /** The groups computed from a source, in definition order. */
  public List<FeatureGroupDef> groupsOf(String sourceName) {
    List<FeatureGroupDef> out = new ArrayList<>();
    for (FeatureGroupDef g : groups.values()) {
      if (g.source().equals(sourceName)) {
        out.add(g);
      }
    }
    return out;
  }

  public Collection<FeatureGroupDef> allGroups() {
    return groups.values();
  }

  private static <T> T require(Map<String, T> map, String name, String what) {
    T t = map.get(name);
    if (t == null) {
      throw new IllegalArgumentException(
          "no " + what + " named '" + name + "'; known: " + String.join(", ", map.keySet()));
    }
    return t;
  }
}
