package io.featurepipe.transforms.definitions;

import io.featurepipe.transforms.expr.ExpressionException;
import io.featurepipe.transforms.expr.RowExpression;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.Location;
import io.featurepipe.transforms.model.RequestFeatureDef;
import io.featurepipe.transforms.model.RequestFeaturesDef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Checks a {@code kind: request_features} document against the feature groups and entities already
 * checked, and builds its {@link RequestFeaturesDef} (without its version, which the loader adds
 * once the groups have theirs).
 *
 * <p>Expressions are compiled with the variables a request will give them: the request fields, the
 * key columns of the read groups' entities, {@code <group>.<feature>} for every scalar feature of a
 * read group, and the earlier features of the same definition. A read group whose own definition
 * has an error makes its features unknown: expressions that use them are not checked, so one
 * mistake gives one error.
 */
final class RequestFeaturesChecker {

  static final List<String> KEYS =
      List.of("kind", "name", "description", "request", "reads", "features");

  private static final List<String> FEATURE_KEYS = List.of("name", "description", "expr");
  private static final Pattern UNDECLARED = Pattern.compile("undeclared reference to '([^']*)'");

  private final Doc doc;
  private final YamlMap map;
  private final Map<String, FeatureGroupDef> groups;
  private final Set<String> brokenGroups;
  private final Map<String, EntityChecker.Result> entities;

  /** Every variable an expression may use, with its type. */
  private final Map<String, ColumnType> variables = new LinkedHashMap<>();

  /** What each plain variable is, for messages: "request field", "key column of entity 'user'". */
  private final Map<String, String> origin = new HashMap<>();

  /** The groups read, as checked so far. */
  private final List<String> readGroups = new ArrayList<>();

  /** Whether every variable is known, so expressions can be checked. */
  private boolean variablesKnown = true;

  private RequestFeaturesChecker(
      Doc doc,
      YamlMap map,
      Map<String, FeatureGroupDef> groups,
      Set<String> brokenGroups,
      Map<String, EntityChecker.Result> entities) {
    this.doc = doc;
    this.map = map;
    this.groups = groups;
    this.brokenGroups = brokenGroups;
    this.entities = entities;
  }

  /**
   * Checks a definition; meaningful only when the document reported no error.
   *
   * @param brokenGroups the groups whose own definitions have errors
   */
  static RequestFeaturesDef check(
      Doc doc,
      YamlMap map,
      Map<String, FeatureGroupDef> groups,
      Set<String> brokenGroups,
      Map<String, EntityChecker.Result> entities) {
    return new RequestFeaturesChecker(doc, map, groups, brokenGroups, entities).check();
  }

  private RequestFeaturesDef check() {
    String name = Names.readName(doc, map);
    if (name != null && groups.containsKey(name)) {
      doc.error(
          map.value("name"),
          "name",
          "'" + name + "' is already the name of a feature group (defined at "
              + groups.get(name).location() + "); features are selected as <name>:<feature>, so"
              + " the names must differ");
    }
    String description = map.string("description", false);
    List<String> reads = reads();
    List<Field> fields = fields();
    List<RequestFeatureDef> features = features();
    Location location = name == null ? map.location() : doc.at(map.value("name"));
    return new RequestFeaturesDef(name, description, fields, reads, features, null, location);
  }

  /** {@code reads}: online feature groups, each once; declares their key columns and features. */
  private List<String> reads() {
    List<Node> items = map.list("reads", true);
    if (items == null) {
      variablesKnown = false;
      return List.of();
    }
    if (items.isEmpty()) {
      doc.error(map.value("reads"), "reads", "request features need at least one feature group to read");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String field = "reads[" + i + "]";
      String g = YamlMap.text(doc, items.get(i), field);
      if (g == null) {
        variablesKnown = false;
        continue;
      }
      FeatureGroupDef group = groups.get(g);
      if (group == null) {
        doc.error(items.get(i), field, "unknown feature group '" + g + "'" + Names.suggest(g, groups.keySet()));
        variablesKnown = false;
      } else if (out.contains(g)) {
        doc.error(items.get(i), field, "feature group '" + g + "' is read twice");
      } else if (!group.online()) {
        doc.error(
            items.get(i), field,
            "feature group '" + g + "' is not online (online: false): request features are computed from online reads");
      } else {
        out.add(g);
        readGroups.add(g);
        declareGroup(group, items.get(i), field);
      }
    }
    return Collections.unmodifiableList(out);
  }

  private void declareGroup(FeatureGroupDef group, Node node, String field) {
    if (brokenGroups.contains(group.name())) {
      variablesKnown = false;
      return;
    }
    EntityChecker.Result entity = entities.get(group.entity());
    if (entity == null || !entity.keysComplete()) {
      variablesKnown = false;
      return;
    }
    for (Field key : entity.def().keys()) {
      ColumnType before = variables.get(key.name());
      if (before == null) {
        variables.put(key.name(), key.type());
        origin.put(key.name(), "key column '" + key.name() + "' of entity '" + entity.def().name() + "'");
      } else if (before != key.type()) {
        doc.error(
            node, field,
            "key column '" + key.name() + "' of entity '" + entity.def().name() + "' is "
                + key.type().yamlName() + ", but it is " + before.yamlName() + " as the "
                + origin.get(key.name()) + ": a request has one value per key column");
      }
    }
    for (FeatureDef f : group.features()) {
      if (!f.outputType().list()) {
        variables.put(group.name() + "." + f.name(), f.outputType().element());
      }
    }
  }

  /** {@code request}: the fields a caller sends, like a source's fields. */
  private List<Field> fields() {
    if (!map.has("request")) {
      return List.of(); // request features may use only the read features
    }
    List<Node> items = map.list("request", false);
    if (items == null) {
      variablesKnown = false;
      return List.of();
    }
    List<Field> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Field f = field(items.get(i), "request[" + i + "]");
      if (f == null) {
        variablesKnown = false;
      } else {
        out.add(f);
      }
    }
    return Collections.unmodifiableList(out);
  }

  private Field field(Node node, String path) {
    Field f = SourceChecker.field(doc, node, path,
        name -> variables.containsKey(name) ? "request field '" + name + "' collides with the " + describe(name) : null);
    if (f != null) {
      variables.put(f.name(), f.type());
      origin.put(f.name(), "request field '" + f.name() + "'");
    }
    return f;
  }

  private List<RequestFeatureDef> features() {
    List<Node> items = map.list("features", true);
    if (items == null) {
      return List.of();
    }
    if (items.isEmpty()) {
      doc.error(map.value("features"), "features", "request features need at least one feature");
    }
    List<RequestFeatureDef> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      RequestFeatureDef f = feature(items.get(i), "features[" + i + "]");
      if (f != null) {
        out.add(f);
      }
    }
    return Collections.unmodifiableList(out);
  }

  private RequestFeatureDef feature(Node node, String path) {
    YamlMap f = YamlMap.of(doc, node, path, FEATURE_KEYS);
    if (f == null) {
      return null;
    }
    String name = f.string("name", true);
    boolean nameOk = false;
    if (name != null) {
      String problem = Names.checkName(name);
      if (problem == null && variables.containsKey(name)) {
        problem = "feature '" + name + "' collides with the " + describe(name);
      }
      if (problem != null) {
        doc.error(f.value("name"), f.field("name"), problem);
      } else {
        nameOk = true;
      }
    }
    String description = f.string("description", false);
    String expression = f.string("expr", true);
    ColumnType type = null;
    if (expression != null && variablesKnown) {
      type = compile(f.value("expr"), f.field("expr"), expression);
    }
    if (nameOk) {
      if (type != null) {
        variables.put(name, type);
        origin.put(name, "feature '" + name + "' (defined above)");
      } else {
        variablesKnown = false; // later expressions may use it: its type is unknown
      }
    }
    return name == null || expression == null
        ? null
        : new RequestFeatureDef(name, description, expression, type, doc.at(f.value("name")));
  }

  /** Compiles an expression; its type, or null (reported). */
  private ColumnType compile(Node node, String field, String text) {
    RowExpression e;
    try {
      e = RowExpression.compile(text, variables);
    } catch (ExpressionException ex) {
      doc.error(node, field, "invalid expression: " + GroupColumns.clean(ex.getMessage()) + hint(ex.getMessage(), text));
      return null;
    }
    if (e.resultType() == null) {
      doc.error(
          node, field,
          "'" + text.trim() + "' has no column type: a request feature must yield a string, int, double,"
              + " bool or timestamp");
      return null;
    }
    return e.resultType();
  }

  /** What to add to CEL's "undeclared reference" so the user sees the cause. */
  private String hint(String message, String text) {
    Matcher m = UNDECLARED.matcher(message);
    if (!m.find()) {
      return "";
    }
    String name = m.group(1);
    FeatureGroupDef group = groups.get(name);
    if (group == null) {
      return Names.suggest(name, variables.keySet());
    }
    if (!readGroups.contains(name)) {
      return " ('" + name + "' is a feature group this definition does not read: add it to reads)";
    }
    List<String> names = group.features().stream().map(FeatureDef::name).toList();
    Matcher uses = Pattern.compile("\\b" + Pattern.quote(name) + "\\.([A-Za-z_][A-Za-z0-9_]*)").matcher(text);
    while (uses.find()) {
      String feature = uses.group(1);
      if (!names.contains(feature)) {
        return " (feature group '" + name + "' has no feature '" + feature + "'" + Names.suggest(feature, names) + ")";
      }
      if (group.feature(feature).outputType().list()) {
        return " ('" + name + "." + feature + "' is a list (" + group.feature(feature).aggregation()
            + "): request expressions can use scalar features only)";
      }
    }
    return "";
  }

  private String describe(String variable) {
    return origin.getOrDefault(variable, "'" + variable + "'");
  }

}
