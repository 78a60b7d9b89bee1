package io.featurepipe.runners.serve;

import io.featurepipe.transforms.expr.ExpressionException;
import io.featurepipe.transforms.expr.RowExpression;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.RequestFeatureDef;
import io.featurepipe.transforms.model.RequestFeaturesDef;
import io.featurepipe.sinks.online.OnlineValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code kind: request_features} definition compiled once with the pipelines' CEL evaluator
 * ({@link RowExpression}), evaluated per key over the request fields, the key columns and the
 * values just read from the online store (as {@code <group>.<feature>}), in definition order, so a
 * feature may use the ones before it. Thread-safe: compiled programs are immutable.
 */
public final class CompiledRequestFeatures {
  private final RequestFeaturesDef def;
  private final List<RowExpression> expressions = new ArrayList<>();
  private final Map<String, ColumnType> keyTypes = new LinkedHashMap<>();
  /** Per group read: the scalar features exposed to expressions, by index in the group. */
  private final Map<String, List<FeatureDef>> groupFeatures = new LinkedHashMap<>();

  private CompiledRequestFeatures(RequestFeaturesDef def) {
    this.def = def;
  }

  /** Compiles a definition of {@code repository} (already checked by the loader). */
  public static CompiledRequestFeatures of(FeatureRepository repository, RequestFeaturesDef def) {
    CompiledRequestFeatures c = new CompiledRequestFeatures(def);
    Map<String, ColumnType> variables = new LinkedHashMap<>();
    for (String g : def.reads()) {
      FeatureGroupDef group = repository.group(g);
      EntityDef entity = repository.entity(group.entity());
      for (Field k : entity.keys()) {
        c.keyTypes.put(k.name(), k.type());
        variables.put(k.name(), k.type());
      }
      List<FeatureDef> scalars = new ArrayList<>();
      for (FeatureDef f : group.features()) {
        if (!f.outputType().list()) {
          scalars.add(f);
          variables.put(g + "." + f.name(), f.outputType().element());
        }
      }
      c.groupFeatures.put(g, scalars);
    }
    for (Field f : def.fields()) {
      variables.put(f.name(), f.type());
    }
    for (RequestFeatureDef f : def.features()) {
      try {
        c.expressions.add(RowExpression.compile(f.expression(), variables));
      } catch (ExpressionException e) {
        throw new IllegalStateException(
            "request feature " + def.name() + "." + f.name() + " (" + f.location() + ") does not compile: " + e.getMessage(), e);
      }
      variables.put(f.name(), f.type());
    }
    return c;
  }

  public RequestFeaturesDef def() {
    return def;
  }

  /**
   * The features' values for one key.
   *
   * @param key the key columns (at least those of the read groups' entities)
   * @param fields the request fields (every declared one; null where not given)
   * @param read the values read for the key, by group (at least the groups this definition reads)
   * @return every feature of the definition by name, in order
   * @throws RequestFeatureException when an expression fails on these values
   */
  public Map<String, Object> evaluate(Map<String, Object> key, Map<String, Object> fields, Map<String, OnlineValues> read) {
    Map<String, Object> vars = new HashMap<>();
    keyTypes.forEach((name, type) -> vars.put(name, RowExpression.toCel(key.get(name), type)));
    for (Field f : def.fields()) {
      vars.put(f.name(), RowExpression.toCel(fields.get(f.name()), f.type()));
    }
    groupFeatures.forEach((g, features) -> {
      Map<String, Object> values = read.get(g).values();
      for (FeatureDef f : features) {
        vars.put(g + "." + f.name(), RowExpression.toCel(values.get(f.name()), f.outputType().element()));
      }
    });
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < expressions.size(); i++) {
      RequestFeatureDef f = def.features().get(i);
      Object v;
      try {
        v = expressions.get(i).evaluateCel(vars);
      } catch (ExpressionException e) {
        throw new RequestFeatureException(
            "request feature " + def.name() + "." + f.name() + " failed for key " + key + ": " + e.getMessage());
      }
      out.put(f.name(), v);
      vars.put(f.name(), RowExpression.toCel(v, f.type()));
    }
    return out;
  }
}
