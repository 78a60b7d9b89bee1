package io.featurepipe.validation.testing;

import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import java.util.LinkedHashMap;
import java.util.Map;

/** Variants of a repository for tests. */
public final class Repositories {
  private Repositories() {}

  /** The repository with {@code rules} added to (or replacing) a group's expectation of a column. */
  public static FeatureRepository withExpect(
      FeatureRepository repo, String groupName, String column, Map<String, Object> rules) {
    FeatureGroupDef g = repo.group(groupName);
    Map<String, Map<String, Object>> expect = new LinkedHashMap<>(g.expect());
    Map<String, Object> merged = new LinkedHashMap<>(expect.getOrDefault(column, Map.of()));
    merged.putAll(rules);
    expect.put(column, merged);
    FeatureGroupDef changed =
        new FeatureGroupDef(
            g.name(), g.description(), g.entity(), g.source(), g.keys(), g.filter(), g.derive(),
            g.derivedTypes(), g.custom(), g.hop(), g.ttl(), g.availabilityDelay(), g.features(),
            expect, g.online(), g.offline(), g.version(), g.location());
    Map<String, FeatureGroupDef> groups = new LinkedHashMap<>(repo.groups());
    groups.put(groupName, changed);
    return new FeatureRepository(repo.sources(), repo.entities(), groups);
  }
}
