package io.featurepipe.runners.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.featurepipe.transforms.definitions.Names;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.RequestFeaturesDef;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The request context of a read: the fields the selected request features declare ({@code
 * request:} in a {@code kind: request_features} definition), typed, from a JSON object ({@code
 * "request": {"amount": 120.5}}) or command-line assignments ({@code --request amount=120.5}). A
 * required field must be given; an optional one missing is null; a field no selected request
 * features declare is refused (it is likely a typo).
 */
public final class RequestFields {
  private RequestFields() {}

  /** The fields of a JSON object (null or absent: none). */
  public static Map<String, Object> fromJson(JsonNode node, FeatureSelection selection) {
    Map<String, Field> fields = fields(selection);
    Map<String, Object> out = new LinkedHashMap<>();
    if (node != null && !node.isNull()) {
      if (!node.isObject()) {
        throw new InvalidRequestException(
            "request is an object of request fields such as {\"amount\": 120.5}, not " + TypedValues.describe(node));
      }
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        Field f = field(fields, e.getKey());
        out.put(f.name(), TypedValues.fromJson(e.getValue(), f.type(), "request field '" + f.name() + "'"));
      }
    }
    return complete(out, fields, selection);
  }

  /** The fields of {@code name=value} assignments ({@code --request}). */
  public static Map<String, Object> fromText(List<String> assignments, FeatureSelection selection) {
    Map<String, Field> fields = fields(selection);
    Map<String, Object> out = new LinkedHashMap<>();
    for (String a : assignments) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new InvalidRequestException("--request '" + a + "' is not field=value (e.g. --request amount=120.5)");
      }
      Field f = field(fields, a.substring(0, eq));
      out.put(f.name(), TypedValues.fromText(a.substring(eq + 1), f.type(), "request field '" + f.name() + "'"));
    }
    return complete(out, fields, selection);
  }

  /** The fields of the selected request features; a field declared twice must have one type. */
  private static Map<String, Field> fields(FeatureSelection selection) {
    Map<String, Field> fields = new LinkedHashMap<>();
    for (RequestFeaturesDef r : selection.requestFeatures()) {
      for (Field f : r.fields()) {
        Field before = fields.get(f.name());
        if (before != null && before.type() != f.type()) {
          throw new InvalidRequestException(
              "request field '" + f.name() + "' is " + before.type().yamlName() + " for one of the selected request"
                  + " features and " + f.type().yamlName() + " for '" + r.name() + "': select them separately");
        }
        if (before == null || (f.required() && !before.required())) {
          fields.put(f.name(), f);
        }
      }
    }
    return fields;
  }

  private static Field field(Map<String, Field> fields, String name) {
    Field f = fields.get(name);
    if (f == null) {
      List<String> known = new ArrayList<>(fields.keySet());
      throw new InvalidRequestException(
          "unknown request field '" + name + "'" + Names.suggest(name, known)
              + (known.isEmpty()
                  ? ": no selected request features take request fields"
                  : " (the selected request features take: " + String.join(", ", known) + ")"));
    }
    return f;
  }

  private static Map<String, Object> complete(Map<String, Object> given, Map<String, Field> fields, FeatureSelection selection) {
    for (Field f : fields.values()) {
      if (given.get(f.name()) == null && f.required()) {
        List<String> by = new ArrayList<>();
        selection.requestFeatures().stream()
            .filter(r -> r.fields().stream().anyMatch(x -> x.name().equals(f.name()) && x.required()))
            .forEach(r -> by.add(r.name()));
        throw new InvalidRequestException(
            "request field '" + f.name() + "' (" + f.type().yamlName() + ") is required by request features "
                + String.join(", ", by));
      }
      given.putIfAbsent(f.name(), null);
    }
    return given;
  }
}
