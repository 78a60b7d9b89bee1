package io.featurepipe.transforms.model;

import java.io.Serializable;
import java.util.List;

/**
 * Request-time derived features ({@code kind: request_features}): values computed when the feature
 * server answers, from fields the caller sends with the request and from the features of the groups
 * it reads, by CEL expressions written beside the feature groups (and versioned with them).
 *
 * <pre>{@code
 * kind: request_features
 * name: payment_context
 * request:                              # what the caller sends
 *   - {name: amount, type: double, required: true}
 * reads: [user_spend]                   # the groups whose features the expressions use
 * features:
 *   - {name: amount_vs_mean_7d, expr: "user_spend.amount_eur_mean_7d == null ? 0.0 : amount / user_spend.amount_eur_mean_7d"}
 * }</pre>
 *
 * Expressions see the request fields and the key columns of the read groups' entities by name, each
 * scalar feature of a read group as {@code <group>.<feature>}, and the earlier features of the same
 * definition by name. Loaded and checked by {@link
 * io.featurepipe.transforms.definitions.RepositoryLoader}.
 *
 * @param fields the request fields, with their types; a {@code required} one must be sent
 * @param reads the feature groups the expressions read, in the order written
 * @param features the derived features, in order (a later one may use an earlier one)
 * @param version a hash of the fields, the expressions and the versions of the groups read
 */
public record RequestFeaturesDef(
    String name,
    String description,
    List<Field> fields,
    List<String> reads,
    List<RequestFeatureDef> features,
    String version,
    Location location)
    implements Serializable {

  public RequestFeatureDef feature(String featureName) {
    for (RequestFeatureDef f : features) {
      if (f.name().equals(featureName)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "request features '" + name + "' have no feature '" + featureName + "'");
  }

  /** {@code v<version>}, as groups print theirs. */
  public String versionTag() {
    return "v" + version;
  }
}
