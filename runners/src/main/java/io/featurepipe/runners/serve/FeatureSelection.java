package io.featurepipe.runners.serve;

import io.featurepipe.transforms.definitions.Names;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.RequestFeatureDef;
import io.featurepipe.transforms.model.RequestFeaturesDef;
import io.featurepipe.transforms.model.ValueType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which features a read returns and under which names (DESIGN §5): parsed from selectors {@code
 * group:*}, {@code group:feature}, {@code request_features:*}, {@code request_features:feature}
 * (several in one string separated by commas), checked against the repository.
 *
 * <p>The output object of each key holds the key columns of the entities read, then each selected
 * feature by its name, or {@code owner.feature} when two selected features (or a feature and a key
 * column) share a name, then {@code _window_end} and {@code _fresh}, or {@code
 * group._window_end} and {@code group._fresh} for each group when several groups are read. Groups
 * read are those selected and those the selected request features read.
 *
 * <pre>{@code
 * FeatureSelection s = FeatureSelection.parse(repo, List.of("user_spend:*,merchant_risk:txn_count_1d"));
 * s.columns();      // user_spend.txn_count_1d, ..., merchant_risk.txn_count_1d (the names collide)
 * s.keyColumns();   // user_id, merchant_id
 * }</pre>
 */
public final class FeatureSelection {

  /** Where a selected feature comes from. */
  public enum Kind {
    /** A feature of a group, read from the online store. */
    GROUP,
    /** A request-time feature, computed at the read. */
    REQUEST
  }

  /** A selected feature: its owner (group or request features), its name, its output name and type. */
  public record Column(Kind kind, String owner, String feature, String outputName, ValueType type) {}

  /** The names of a group's window end and freshness in the output. */
  public record WindowColumns(String group, String windowEnd, String fresh) {}

  /** A key column the request must give, and the entities that need it. */
  public record KeyColumn(String name, ColumnType type, List<String> entities) {}

  private final List<Column> columns;
  private final List<String> groups;
  private final List<RequestFeaturesDef> requestFeatures;
  private final List<KeyColumn> keyColumns;
  private final List<WindowColumns> windows;

  private FeatureSelection(
      List<Column> columns,
      List<String> groups,
      List<RequestFeaturesDef> requestFeatures,
      List<KeyColumn> keyColumns,
      List<WindowColumns> windows) {
    this.columns = columns;
    this.groups = groups;
    this.requestFeatures = requestFeatures;
    this.keyColumns = keyColumns;
    this.windows = windows;
  }

  /** Parses and checks selectors; fails naming the first unknown group, feature or malformed selector. */
  public static FeatureSelection parse(FeatureRepository repo, List<String> selectors) {
    List<String> items = new ArrayList<>();
    for (String s : selectors == null ? List.<String>of() : selectors) {
      for (String part : s.split(",", -1)) {
        if (!part.isBlank()) {
          items.add(part.trim());
        }
      }
    }
    if (items.isEmpty()) {
      throw new InvalidRequestException("no features selected: give group:* or group:feature (comma-separated)");
    }
    Map<String, Column> chosen = new LinkedHashMap<>(); // owner.feature -> column (name not yet final)
    Set<String> groups = new LinkedHashSet<>();
    Map<String, RequestFeaturesDef> requests = new LinkedHashMap<>();
    for (String item : items) {
      int colon = item.indexOf(':');
      if (colon <= 0 || colon == item.length() - 1) {
        throw new InvalidRequestException(
            "feature selector '" + item + "' is not owner:feature or owner:* (e.g. user_spend:txn_count_1d)");
      }
      String owner = item.substring(0, colon);
      String feature = item.substring(colon + 1);
      if (repo.groups().containsKey(owner)) {
        FeatureGroupDef g = repo.group(owner);
        if (!g.online()) {
          throw new InvalidRequestException(
              "feature group '" + owner + "' is not online (online: false): read it from the offline store");
        }
        groups.add(owner);
        for (FeatureDef f : feature.equals("*") ? g.features() : List.of(groupFeature(g, feature))) {
          chosen.putIfAbsent(owner + "." + f.name(), new Column(Kind.GROUP, owner, f.name(), null, f.outputType()));
        }
      } else if (repo.requestFeatures().containsKey(owner)) {
        RequestFeaturesDef r = repo.requestFeatures(owner);
        requests.put(owner, r);
        for (RequestFeatureDef f : feature.equals("*") ? r.features() : List.of(requestFeature(r, feature))) {
          chosen.putIfAbsent(owner + "." + f.name(), new Column(Kind.REQUEST, owner, f.name(), null, ValueType.scalar(f.type())));
        }
      } else {
        List<String> known = new ArrayList<>();
        repo.groups().values().stream().filter(FeatureGroupDef::online).forEach(g -> known.add(g.name()));
        known.addAll(repo.requestFeatures().keySet());
        throw new InvalidRequestException(
            "unknown feature group or request features '" + owner + "' in '" + item + "'"
                + Names.suggest(owner, known) + "; known: " + String.join(", ", known));
      }
    }
    for (RequestFeaturesDef r : requests.values()) {
      groups.addAll(r.reads());
    }
    List<KeyColumn> keys = keyColumns(repo, groups);
    List<WindowColumns> windows = new ArrayList<>();
    for (String g : groups) {
      windows.add(groups.size() == 1
          ? new WindowColumns(g, "_window_end", "_fresh")
          : new WindowColumns(g, g + "._window_end", g + "._fresh"));
    }
    Map<String, Integer> uses = new HashMap<>();
    chosen.values().forEach(c -> uses.merge(c.feature(), 1, Integer::sum));
    keys.forEach(k -> uses.merge(k.name(), 1, Integer::sum));
    List<Column> columns = new ArrayList<>();
    for (Column c : chosen.values()) {
      String name = uses.get(c.feature()) == 1 ? c.feature() : c.owner() + "." + c.feature();
      columns.add(new Column(c.kind(), c.owner(), c.feature(), name, c.type()));
    }
    return new FeatureSelection(
        Collections.unmodifiableList(columns),
        List.copyOf(groups),
        List.copyOf(requests.values()),
        keys,
        Collections.unmodifiableList(windows));
  }

  private static FeatureDef groupFeature(FeatureGroupDef g, String feature) {
    for (FeatureDef f : g.features()) {
      if (f.name().equals(feature)) {
        return f;
      }
    }
    List<String> names = g.features().stream().map(FeatureDef::name).toList();
    throw new InvalidRequestException(
        "feature group '" + g.name() + "' has no feature '" + feature + "'" + Names.suggest(feature, names));
  }

  private static RequestFeatureDef requestFeature(RequestFeaturesDef r, String feature) {
    for (RequestFeatureDef f : r.features()) {
      if (f.name().equals(feature)) {
        return f;
      }
    }
    List<String> names = r.features().stream().map(RequestFeatureDef::name).toList();
    throw new InvalidRequestException(
        "request features '" + r.name() + "' have no feature '" + feature + "'" + Names.suggest(feature, names));
  }

  /** The key columns of the groups' entities, each once, in the order the groups name them. */
  private static List<KeyColumn> keyColumns(FeatureRepository repo, Set<String> groups) {
    Map<String, ColumnType> types = new LinkedHashMap<>();
    Map<String, List<String>> entities = new LinkedHashMap<>();
    for (String g : groups) {
      EntityDef entity = repo.entity(repo.group(g).entity());
      for (Field k : entity.keys()) {
        ColumnType before = types.putIfAbsent(k.name(), k.type());
        if (before != null && before != k.type()) {
          throw new InvalidRequestException(
              "key column '" + k.name() + "' is " + before.yamlName() + " for entity " + entities.get(k.name())
                  + " but " + k.type().yamlName() + " for entity '" + entity.name() + "': read these groups separately");
        }
        List<String> of = entities.computeIfAbsent(k.name(), n -> new ArrayList<>());
        if (!of.contains(entity.name())) {
          of.add(entity.name());
        }
      }
    }
    List<KeyColumn> out = new ArrayList<>();
    types.forEach((name, type) -> out.add(new KeyColumn(name, type, List.copyOf(entities.get(name)))));
    return Collections.unmodifiableList(out);
  }

  /** The selected features in output order, with their output names. */
  public List<Column> columns() {
    return columns;
  }

  /** The groups read: the selected ones, then those the selected request features read. */
  public List<String> groups() {
    return groups;
  }

  /** The request features to compute (each whole; only the selected features are output). */
  public List<RequestFeaturesDef> requestFeatures() {
    return requestFeatures;
  }

  /** The key columns a key must have, in output order. */
  public List<KeyColumn> keyColumns() {
    return keyColumns;
  }

  /** The window end and freshness names of each group read, in output order. */
  public List<WindowColumns> windows() {
    return windows;
  }
}
