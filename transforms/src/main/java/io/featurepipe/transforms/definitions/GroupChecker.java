package io.featurepipe.transforms.definitions;

import io.featurepipe.transforms.expr.RowExpression;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.CustomLogic;
import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.Location;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Checks a {@code kind: feature_group} document against the sources and entities already checked,
 * and builds its {@link FeatureGroupDef} (without its version, which the loader adds once the whole
 * repository is clean).
 */
final class GroupChecker {

  static final List<String> KEYS =
      List.of(
          "kind",
          "name",
          "description",
          "entity",
          "source",
          "keys",
          "filter",
          "derive",
          "custom",
          "hop",
          "ttl",
          "availability_delay",
          "features",
          "expect",
          "online",
          "offline");

  private static final List<String> CUSTOM_KEYS = List.of("class", "columns");

  private final Doc doc;
  private final YamlMap map;
  private final Map<String, SourceChecker.Result> sources;
  private final Map<String, EntityChecker.Result> entities;
  private EntityDef entity;
  private boolean entityComplete;
  private GroupColumns columns;

  /** Every feature name written, also of features with errors. */
  private final Set<String> featureNames = new HashSet<>();

  /** The position in {@code features:} of each feature that came out clean. */
  private final Map<FeatureDef, Integer> featureIndex = new IdentityHashMap<>();

  private Duration hop;
  private String hopText;

  private GroupChecker(
      Doc doc,
      YamlMap map,
      Map<String, SourceChecker.Result> sources,
      Map<String, EntityChecker.Result> entities) {
    this.doc = doc;
    this.map = map;
    this.sources = sources;
    this.entities = entities;
  }

  /** Checks a group; the definition is only meaningful when the document reported no error. */
  static FeatureGroupDef check(
      Doc doc,
      YamlMap map,
      Map<String, SourceChecker.Result> sources,
      Map<String, EntityChecker.Result> entities) {
    return new GroupChecker(doc, map, sources, entities).check();
  }

  private FeatureGroupDef check() {
    String name = Names.readName(doc, map);
    String description = map.string("description", false);
    String entityName = entity();
    String sourceName = source();
    hop = map.duration("hop", true, null, YamlMap.Sign.POSITIVE);
    hopText = hop == null ? null : map.string("hop", true);
    Duration ttl = map.duration("ttl", false, null, YamlMap.Sign.POSITIVE);
    checkMultipleOfHop(ttl, "ttl");
    Duration availabilityDelay =
        map.duration("availability_delay", false, Duration.ZERO, YamlMap.Sign.NON_NEGATIVE);
    Map<String, String> derive = derive();
    CustomLogic custom = custom();
    String filter = filter();
    Map<String, String> keys = keys();
    List<FeatureDef> features = features();
    ttl = effectiveTtl(ttl, features);
    Map<String, Map<String, Object>> expect = expect(features);
    boolean online = map.bool("online", true);
    boolean offline = map.bool("offline", true);
    Location location = name == null ? map.location() : doc.at(map.value("name"));
    return new FeatureGroupDef(
        name,
        description,
        entityName,
        sourceName,
        keys,
        filter,
        derive,
        columns.derivedTypes(),
        custom,
        hop,
        ttl,
        availabilityDelay,
        features,
        expect,
        online,
        offline,
        null,
        location);
  }

  private String entity() {
    String name = map.string("entity", true);
    EntityChecker.Result r = name == null ? null : entities.get(name);
    if (name != null && r == null) {
      doc.error(
          map.value("entity"),
          "entity",
          "unknown entity '" + name + "'" + Names.suggest(name, entities.keySet()));
    }
    entity = r == null ? null : r.def();
    entityComplete = r != null && r.keysComplete();
    return name;
  }

  private String source() {
    String name = map.string("source", true);
    SourceChecker.Result r = name == null ? null : sources.get(name);
    if (name != null && r == null) {
      doc.error(
          map.value("source"),
          "source",
          "unknown source '" + name + "'" + Names.suggest(name, sources.keySet()));
    }
    columns = new GroupColumns(r == null ? null : r.def(), r != null && r.fieldsComplete());
    return name;
  }

  private void checkMultipleOfHop(Duration d, String key) {
    if (d != null && hop != null && !Durations.isMultiple(d, hop)) {
      doc.error(
          map.value(key),
          key,
          key + " " + map.string(key, false) + " is not a multiple of the hop " + hopText);
    }
  }

  /** {@code filter}: a boolean expression over the source row. */
  private String filter() {
    String filter = map.string("filter", false);
    if (filter == null) {
      return null;
    }
    Node node = map.value("filter");
    RowExpression e = columns.compile(doc, node, "filter", filter, columns.sourceTypes());
    if (e != null && e.resultType() != ColumnType.BOOL) {
      doc.error(
          node,
          "filter",
          "filter must be a boolean expression, not "
              + (e.resultType() == null ? "one without a column type" : e.resultType().yamlName()));
    }
    return filter;
  }

  /** {@code derive}: named expressions, each over the source and the earlier derived columns. */
  private Map<String, String> derive() {
    Map<String, String> out = new LinkedHashMap<>();
    YamlMap d = map.map("derive", false, null);
    if (d == null) {
      return Collections.unmodifiableMap(out);
    }
    for (YamlMap.Entry e : d.entries()) {
      String field = d.field(e.key());
      String expression = YamlMap.text(doc, e.value(), field);
      boolean nameOk = newColumnName(e.key(), e.keyNode(), field, "derived column");
      ColumnType type = null;
      if (expression != null) {
        out.put(e.key(), expression);
        RowExpression compiled =
            columns.compile(doc, e.value(), field, expression, columns.types());
        if (compiled != null && compiled.resultType() == null) {
          doc.error(
              e.value(),
              field,
              "derived column '"
                  + e.key()
                  + "' has no column type: the expression must yield a string, int, double, bool or"
                  + " timestamp");
        } else if (compiled != null) {
          type = compiled.resultType();
        }
      }
      if (nameOk || !columns.has(e.key())) {
        columns.add(e.key(), nameOk ? type : null, "derived column");
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** Checks the name of a derived or custom column: valid, and not an existing column's. */
  private boolean newColumnName(String name, Node keyNode, String field, String what) {
    String problem = Names.checkColumn(name);
    if (problem != null) {
      doc.error(keyNode, field, problem);
      return false;
    }
    if (columns.has(name)) {
      doc.error(
          keyNode,
          field,
          what + " '" + name + "' collides with the " + columns.originOf(name) + " '" + name + "'");
      return false;
    }
    return true;
  }

  /** {@code custom}: a Java RowFunction and the columns it adds. */
  private CustomLogic custom() {
    YamlMap c = map.map("custom", false, CUSTOM_KEYS);
    if (c == null) {
      return null;
    }
    String className = c.string("class", true);
    if (className != null) {
      String problem = CustomClasses.problem(className);
      if (problem != null) {
        doc.error(c.value("class"), c.field("class"), problem);
      }
    }
    Map<String, ColumnType> added = new LinkedHashMap<>();
    YamlMap cols = c.map("columns", true, null);
    if (cols != null && cols.isEmpty() && ((MappingNode) cols.node()).getValue().isEmpty()) {
      doc.error(cols.node(), c.field("columns"), "custom logic must add at least one column");
    }
    if (cols != null) {
      for (YamlMap.Entry e : cols.entries()) {
        String field = cols.field(e.key());
        boolean nameOk = newColumnName(e.key(), e.keyNode(), field, "custom column");
        String typeText = YamlMap.text(doc, e.value(), field);
        ColumnType type =
            typeText == null ? null : SourceChecker.columnType(doc, e.value(), field, typeText);
        if (type != null) {
          added.put(e.key(), type);
        }
        if (nameOk || !columns.has(e.key())) {
          columns.add(e.key(), nameOk ? type : null, "custom column");
        }
      }
    }
    Location location = c.has("class") ? doc.at(c.value("class")) : c.location();
    return new CustomLogic(className, Collections.unmodifiableMap(added), location);
  }

  /** {@code keys}: every entity key exactly once, from an expression of the key's type. */
  private Map<String, String> keys() {
    YamlMap k = map.map("keys", true, null);
    if (k == null) {
      return Map.of();
    }
    Map<String, String> given = new LinkedHashMap<>();
    for (YamlMap.Entry e : k.entries()) {
      String expression = YamlMap.text(doc, e.value(), k.field(e.key()));
      if (expression != null) {
        given.put(e.key(), expression);
      }
    }
    if (entity == null || !entityComplete) {
      return Collections.unmodifiableMap(given);
    }
    List<String> keyNames = entity.keys().stream().map(Field::name).toList();
    for (YamlMap.Entry e : k.entries()) {
      if (!keyNames.contains(e.key())) {
        doc.error(
            e.keyNode(),
            k.field(e.key()),
            "'"
                + e.key()
                + "' is not a key of entity '"
                + entity.name()
                + "' (keys: "
                + String.join(", ", keyNames)
                + ")"
                + Names.suggest(e.key(), keyNames));
      }
    }
    Map<String, String> ordered = new LinkedHashMap<>();
    for (Field key : entity.keys()) {
      if (!k.has(key.name())) {
        doc.error(
            k.node(),
            k.field(key.name()),
            "missing key '" + key.name() + "' of entity '" + entity.name() + "'");
      } else if (given.containsKey(key.name())) {
        ordered.put(key.name(), given.get(key.name()));
        checkKeyExpression(key, k.value(key.name()), k.field(key.name()), given.get(key.name()));
      }
    }
    return Collections.unmodifiableMap(ordered);
  }

  private void checkKeyExpression(Field key, Node node, String field, String expression) {
    RowExpression e = columns.compile(doc, node, field, expression, columns.types());
    if (e != null && e.resultType() != key.type()) {
      doc.error(
          node,
          field,
          "entity key '"
              + key.name()
              + "' is "
              + key.type().yamlName()
              + ", but '"
              + expression
              + "' is "
              + (e.resultType() == null ? "not a column type" : e.resultType().yamlName()));
    }
  }

  private List<FeatureDef> features() {
    List<Node> items = map.list("features", true);
    if (items == null) {
      return List.of();
    }
    if (items.isEmpty()) {
      doc.error(map.value("features"), "features", "a feature group needs at least one feature");
    }
    List<String> keyNames =
        entity == null ? List.of() : entity.keys().stream().map(Field::name).toList();
    FeatureChecker checker = new FeatureChecker(doc, columns, hop, hopText, keyNames);
    List<FeatureDef> features = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      FeatureDef f = checker.check(items.get(i), i);
      if (f != null) {
        features.add(f);
        featureIndex.put(f, i);
      }
    }
    featureNames.addAll(checker.names());
    return Collections.unmodifiableList(features);
  }

  /** The ttl as given, else the longest window; an error when a feature needs one and none is. */
  private Duration effectiveTtl(Duration ttl, List<FeatureDef> features) {
    if (ttl != null || map.has("ttl") || map.misspelled("ttl")) {
      return ttl;
    }
    Duration longest = null;
    for (FeatureDef f : features) {
      if (f.window() == null) {
        doc.error(
            f.location(),
            "features[" + featureIndex.get(f) + "].window",
            "feature '"
                + f.name()
                + "' names no window and the group has no ttl: give one of them");
      } else if (longest == null || f.window().compareTo(longest) > 0) {
        longest = f.window();
      }
    }
    return longest;
  }

  /**
   * {@code expect}: expectations per source, derived, custom or feature column, kept as written.
   */
  private Map<String, Map<String, Object>> expect(List<FeatureDef> features) {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    YamlMap e = map.map("expect", false, null);
    if (e == null) {
      return Collections.unmodifiableMap(out);
    }
    List<String> known = new ArrayList<>(columns.names());
    features.forEach(f -> known.add(f.name()));
    for (YamlMap.Entry entry : e.entries()) {
      String field = e.field(entry.key());
      if (columns.known() && !known.contains(entry.key()) && !featureNames.contains(entry.key())) {
        doc.error(
            entry.keyNode(),
            field,
            "expect names unknown column '"
                + entry.key()
                + "' (not a source, derived, custom or feature column)"
                + Names.suggest(entry.key(), known));
      }
      YamlMap rules = YamlMap.of(doc, entry.value(), field, null);
      if (rules != null) {
        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) YamlMap.plain(rules.node());
        out.put(entry.key(), values);
      }
    }
    return Collections.unmodifiableMap(out);
  }
}
