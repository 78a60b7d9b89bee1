package io.featurepipe.transforms.definitions;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.Field;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/** Checks a {@code kind: entity} document and builds its {@link EntityDef}. */
final class EntityChecker {

  static final List<String> KEYS = List.of("kind", "name", "description", "keys");
  private static final List<String> KEY_KEYS = List.of("name", "type");

  /**
   * A checked entity.
   *
   * @param def the definition, or null without a valid name
   * @param keysComplete whether every key was read with a name and an allowed type
   */
  record Result(EntityDef def, boolean keysComplete) {}

  private EntityChecker() {}

  static Result check(Doc doc, YamlMap map) {
    String name = Names.readName(doc, map);
    String description = map.string("description", false);
    int before = doc.errorCount();
    List<Field> keys = keys(doc, map);
    boolean complete = doc.errorCount() == before;
    if (name == null) {
      return new Result(null, false);
    }
    return new Result(new EntityDef(name, description, keys, doc.at(map.value("name"))), complete);
  }

  private static List<Field> keys(Doc doc, YamlMap map) {
    List<Node> items = map.list("keys", true);
    if (items == null) {
      return List.of();
    }
    if (items.isEmpty()) {
      doc.error(map.value("keys"), "keys", "an entity needs at least one key");
    }
    List<Field> keys = new ArrayList<>();
    Map<String, Field> seen = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      Field key = key(doc, items.get(i), "keys[" + i + "]");
      if (key == null) {
        continue;
      }
      Field first = seen.putIfAbsent(key.name(), key);
      if (first != null) {
        doc.error(
            key.location(),
            "keys[" + i + "].name",
            "duplicate key '" + key.name() + "' (first at line " + first.location().line() + ")");
      } else {
        keys.add(key);
      }
    }
    return Collections.unmodifiableList(keys);
  }

  private static Field key(Doc doc, Node node, String path) {
    YamlMap k = YamlMap.of(doc, node, path, KEY_KEYS);
    if (k == null) {
      return null;
    }
    String name = k.string("name", true);
    if (name != null) {
      String problem = Names.checkColumn(name);
      if (problem != null) {
        doc.error(k.value("name"), k.field("name"), problem);
        name = null;
      }
    }
    ColumnType type = SourceChecker.columnType(doc, k, "type");
    if (type != null && type != ColumnType.STRING && type != ColumnType.INT64) {
      doc.error(
          k.value("type"),
          k.field("type"),
          "an entity key must be string or int, not " + type.yamlName());
      type = null;
    }
    return name == null || type == null
        ? null
        : new Field(name, type, true, doc.at(k.value("name")));
  }
}
