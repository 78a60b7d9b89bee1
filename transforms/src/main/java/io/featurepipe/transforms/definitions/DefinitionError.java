package io.featurepipe.transforms.definitions;

import io.featurepipe.transforms.model.Location;

/**
 * One mistake in a feature repository: where it is, which definition and field it concerns, and
 * what is wrong.
 *
 * <p>{@link #toString()} is the line a user reads, e.g. {@code payments.yaml:14:7: feature_group
 * 'user_spend' field 'features[2].window': window 7h is not a multiple of the hop 2h}.
 *
 * @param location file, 1-based line and column of the offending node (the value, or the key for an
 *     unknown key); line 0 when the error concerns a whole file or folder
 * @param kind the kind of the definition ({@code source}, {@code entity}, {@code feature_group}),
 *     or null when not known (a YAML syntax error, a missing or unknown kind)
 * @param name the definition's name, or null when not known
 * @param field the path of the field inside the definition ({@code fields[1].type}, {@code
 *     bounded.jdbc.url}, {@code keys.user_id}), or null for the document as a whole
 * @param message what is wrong, for a user
 */
public record DefinitionError(
    Location location, String kind, String name, String field, String message) {

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(location.toString()).append(": ");
    if (kind != null) {
      b.append(kind);
      if (name != null) {
        b.append(" '").append(name).append('\'');
      }
      b.append(' ');
    }
    if (field != null) {
      b.append("field '").append(field).append("'");
    } else if (kind != null) {
      b.setLength(b.length() - 1);
    }
    if (kind != null || field != null) {
      b.append(": ");
    }
    return b.append(message).toString();
  }
}
