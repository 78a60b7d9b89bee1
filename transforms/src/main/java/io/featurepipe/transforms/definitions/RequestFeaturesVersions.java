package io.featurepipe.transforms.definitions;

import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.RequestFeatureDef;
import io.featurepipe.transforms.model.RequestFeaturesDef;
import java.util.Map;

/**
 * The version of request-time features: like a group's ({@link GroupVersions}), 8 hex digits of
 * the SHA-256 of a canonical text of everything that changes their values: the request fields
 * (name, type, required), each group read with its version, and each feature's name, expression
 * (trimmed) and type. A new version of a read group is a new version of the request features.
 */
public final class RequestFeaturesVersions {
  static final String HEADER = "featurepipe request features version 1";

  private RequestFeaturesVersions() {}

  /** The canonical text hashed into the version. */
  public static String canonicalText(RequestFeaturesDef def, Map<String, FeatureGroupDef> groups) {
    StringBuilder b = new StringBuilder(HEADER).append('\n');
    for (Field f : def.fields()) {
      GroupVersions.line(b, "request_field", GroupVersions.q(f.name()), f.type().yamlName(), f.required() ? "required" : "optional");
    }
    for (String g : def.reads()) {
      GroupVersions.line(b, "reads", GroupVersions.q(g), groups.get(g).version());
    }
    for (RequestFeatureDef f : def.features()) {
      GroupVersions.line(b, "feature", GroupVersions.q(f.name()), GroupVersions.q(f.expression().trim()), f.type().yamlName());
    }
    return b.toString();
  }

  static RequestFeaturesDef withVersion(RequestFeaturesDef def, Map<String, FeatureGroupDef> versionedGroups) {
    return new RequestFeaturesDef(
        def.name(), def.description(), def.fields(), def.reads(), def.features(),
        GroupVersions.hash(canonicalText(def, versionedGroups)), def.location());
  }
}
