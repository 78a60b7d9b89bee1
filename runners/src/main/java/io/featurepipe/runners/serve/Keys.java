package io.featurepipe.runners.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.featurepipe.transforms.definitions.Names;
import io.featurepipe.transforms.model.ColumnType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Entity keys of a read, typed by the entities of the groups read ({@link
 * FeatureSelection#keyColumns()}): from JSON objects ({@code {"user_id": "u1", "merchant_id":
 * "m2"}}) or from command-line assignments ({@code user_id=u1}). Every key column must be given,
 * not null; a column no read entity has is refused (it is likely a typo).
 */
public final class Keys {
  private Keys() {}

  /** A key sent as a JSON object; {@code where} names it in errors ({@code keys[2]}, {@code keys.jsonl:4}). */
  public static Map<String, Object> fromJson(JsonNode node, FeatureSelection selection, String where) {
    if (node == null || !node.isObject()) {
      throw new InvalidRequestException(
          where + ": a key is an object of key columns such as {\"user_id\": \"u1\"}, not "
              + (node == null ? "nothing" : TypedValues.describe(node)));
    }
    Map<String, Object> key = new LinkedHashMap<>();
    for (FeatureSelection.KeyColumn k : selection.keyColumns()) {
      JsonNode v = node.get(k.name());
      if (v != null && !v.isNull()) {
        key.put(k.name(), TypedValues.fromJson(v, k.type(), where + ": key column '" + k.name() + "'"));
      }
    }
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      checkKnown(names.next(), selection, where);
    }
    return complete(key, selection, where);
  }

  /** A key given as {@code column=value} assignments (one composite key). */
  public static Map<String, Object> fromText(List<String> assignments, FeatureSelection selection) {
    Map<String, Object> key = new LinkedHashMap<>();
    for (String a : assignments) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new InvalidRequestException("--key '" + a + "' is not column=value (e.g. --key user_id=u42)");
      }
      String name = a.substring(0, eq);
      checkKnown(name, selection, "--key");
      ColumnType type = selection.keyColumns().stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow().type();
      if (key.put(name, TypedValues.fromText(a.substring(eq + 1), type, "key column '" + name + "'")) != null) {
        throw new InvalidRequestException("--key gives key column '" + name + "' twice");
      }
    }
    return complete(key, selection, "--key");
  }

  private static void checkKnown(String name, FeatureSelection selection, String where) {
    List<String> known = new ArrayList<>();
    selection.keyColumns().forEach(k -> known.add(k.name()));
    if (!known.contains(name)) {
      throw new InvalidRequestException(
          where + ": '" + name + "' is not a key column of the entities read" + Names.suggest(name, known)
              + " (key columns: " + String.join(", ", known) + ")");
    }
  }

  private static Map<String, Object> complete(Map<String, Object> key, FeatureSelection selection, String where) {
    for (FeatureSelection.KeyColumn k : selection.keyColumns()) {
      if (!key.containsKey(k.name())) {
        throw new InvalidRequestException(
            where + ": the key has no value for key column '" + k.name() + "' (" + k.type().yamlName()
                + ", needed by entity " + String.join(", ", k.entities()) + ")");
      }
    }
    return key;
  }
}
