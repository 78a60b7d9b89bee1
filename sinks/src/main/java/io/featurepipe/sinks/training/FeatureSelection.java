package io.featurepipe.sinks.training;

import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.Field;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The features a training set asks for, parsed from {@code g:f,g:*} and checked against a
 * repository, with the entity key columns a spine row must carry to look them up.
 *
 * <pre>{@code
 * FeatureSelection s = FeatureSelection.parse(repository, "user_spend:*,merchant_risk:fraud_rate_7d");
 * s.groups();      // [user_spend, merchant_risk]
 * s.keyColumns();  // [user_id (string), merchant_id (string)]
 * s.columnNames(List.of("user_id", "merchant_id", "event_time", "is_fraud"));
 * }</pre>
 *
 * <p>Output column names follow DESIGN §5 {@code get}: a feature is named as itself, and {@code
 * group__feature} (two underscores: Avro names allow no dot) only when its name collides with
 * another selected feature or with a spine column.
 */
public final class FeatureSelection implements Serializable {

  /** One selected feature: its group, its definition and its index in the group's values. */
  public record Selected(FeatureGroupDef group, FeatureDef feature, int index) implements Serializable {
    /** {@code group__feature}: the name used when {@link #feature()}'s name collides. */
    public String qualifiedName() {
      return group.name() + "__" + feature.name();
    }
  }

  private final List<FeatureGroupDef> groups;
  private final List<Selected> features;
  private final List<Field> keyColumns;
  private final Map<String, EntityDef> entities;

  private FeatureSelection(
      List<FeatureGroupDef> groups, List<Selected> features, List<Field> keyColumns, Map<String, EntityDef> entities) {
    this.groups = List.copyOf(groups);
    this.features = List.copyOf(features);
    this.keyColumns = List.copyOf(keyColumns);
    this.entities = Map.copyOf(entities);
  }

  /**
   * Parses a comma-separated list of {@code group:feature} and {@code group:*}, in request order.
   *
   * @throws IllegalArgumentException naming the bad item: not {@code g:f}, an unknown group or
   *     feature (with the known ones), a feature asked twice, a group not stored offline, or
   *     entities whose key columns share a name but not a type
   */
  public static FeatureSelection parse(FeatureRepository repository, String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("--features is empty: name features as group:feature or group:*");
    }
    Map<String, FeatureGroupDef> groups = new LinkedHashMap<>();
    List<Selected> features = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String raw : spec.split(",", -1)) {
      String item = raw.trim();
      int colon = item.indexOf(':');
      if (colon <= 0 || colon == item.length() - 1 || item.indexOf(':', colon + 1) >= 0) {
        throw new IllegalArgumentException(
            "--features item '" + item + "' is not group:feature or group:* (in '" + spec + "')");
      }
      String groupName = item.substring(0, colon).trim();
      String featureName = item.substring(colon + 1).trim();
      if (!repository.groups().containsKey(groupName)) {
        throw new IllegalArgumentException(
            "--features item '" + item + "': no feature group named '" + groupName + "'; known: "
                + String.join(", ", repository.groups().keySet()));
      }
      FeatureGroupDef group = repository.group(groupName);
      if (!group.offline()) {
        throw new IllegalArgumentException(
            "--features item '" + item + "': group '" + groupName
                + "' is not stored offline (offline: false), so it has no training values");
      }
      groups.putIfAbsent(groupName, group);
      List<FeatureDef> chosen = featureName.equals("*") ? group.features() : List.of(find(group, featureName, item));
      for (FeatureDef f : chosen) {
        if (!seen.add(groupName + ":" + f.name())) {
          throw new IllegalArgumentException(
              "--features asks for " + groupName + ":" + f.name() + " twice (in '" + spec + "')");
        }
        features.add(new Selected(group, f, group.features().indexOf(f)));
      }
    }
    Map<String, EntityDef> entities = new LinkedHashMap<>();
    Map<String, Field> keys = new LinkedHashMap<>();
    Map<String, String> keyOwner = new HashMap<>();
    for (FeatureGroupDef g : groups.values()) {
      EntityDef entity = repository.entity(g.entity());
      entities.put(g.entity(), entity);
      for (Field k : entity.keys()) {
        Field known = keys.putIfAbsent(k.name(), k);
        if (known == null) {
          keyOwner.put(k.name(), entity.name());
        } else if (known.type() != k.type()) {
          throw new IllegalArgumentException(
              "entities '" + keyOwner.get(k.name()) + "' and '" + entity.name() + "' both key on '"
                  + k.name() + "' but as " + known.type().yamlName() + " and " + k.type().yamlName()
                  + ": one spine column cannot serve both");
        }
      }
    }
    return new FeatureSelection(new ArrayList<>(groups.values()), features, new ArrayList<>(keys.values()), entities);
  }

  private static FeatureDef find(FeatureGroupDef group, String featureName, String item) {
    for (FeatureDef f : group.features()) {
      if (f.name().equals(featureName)) {
        return f;
      }
    }
    List<String> known = new ArrayList<>();
    group.features().forEach(f -> known.add(f.name()));
    throw new IllegalArgumentException(
        "--features item '" + item + "': group '" + group.name() + "' has no feature '" + featureName
            + "'; it has: " + String.join(", ", known));
  }

  /** The groups asked for, in order of first mention. */
  public List<FeatureGroupDef> groups() {
    return groups;
  }

  /** The selected features, in request order ({@code g:*} expands in definition order). */
  public List<Selected> features() {
    return features;
  }

  /** The key columns of every entity asked for, once each, in order of first mention. */
  public List<Field> keyColumns() {
    return keyColumns;
  }

  /** The entity of a selected group. */
  public EntityDef entityOf(FeatureGroupDef group) {
    return entities.get(group.entity());
  }

  /** Where each key column of a group's entity sits in {@link #keyColumns()}, in the entity's key order. */
  public int[] keyPositions(FeatureGroupDef group) {
    List<Field> entityKeys = entityOf(group).keys();
    int[] positions = new int[entityKeys.size()];
    for (int i = 0; i < positions.length; i++) {
      positions[i] = indexOfKey(entityKeys.get(i).name());
    }
    return positions;
  }

  private int indexOfKey(String name) {
    for (int i = 0; i < keyColumns.size(); i++) {
      if (keyColumns.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalStateException("no key column " + name);
  }

  /**
   * The output column name of each selected feature (in {@link #features()} order), given the
   * spine's columns: the feature's name, or {@code group__feature} when that name is taken by
   * another selected feature or a spine column.
   *
   * @throws IllegalArgumentException when even {@code group__feature} is a spine column's name
   */
  public List<String> columnNames(Collection<String> spineColumns) {
    Map<String, Integer> uses = new HashMap<>();
    for (Selected s : features) {
      uses.merge(s.feature().name(), 1, Integer::sum);
    }
    List<String> names = new ArrayList<>();
    for (Selected s : features) {
      String plain = s.feature().name();
      boolean collides = uses.get(plain) > 1 || spineColumns.contains(plain);
      String name = collides ? s.qualifiedName() : plain;
      if (spineColumns.contains(name)) {
        throw new IllegalArgumentException(
            "feature " + s.group().name() + ":" + plain + " cannot be named: the spine already has a column '"
                + name + "'; rename that spine column");
      }
      names.add(name);
    }
    return names;
  }
}
