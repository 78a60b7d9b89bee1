package io.featurepipe.validation.check;

/**
 * One failed per-record check.
 *
 * @param check {@code type}, {@code required}, {@code range}, {@code domain}, {@code regex},
 *     {@code future_timestamp} or {@code past_timestamp}
 * @param group the group whose expectation failed, or empty for source-level checks
 * @param column the column
 * @param value the offending value, as text
 * @param detail what was expected
 */
public record CheckFailure(String check, String group, String column, String value, String detail) {

  /** {@code range: group 'user_spend' column 'amount' value -40.0: below min 0}. */
  @Override
  public String toString() {
    return check + ": " + (group.isEmpty() ? "" : "group '" + group + "' ")
        + "column '" + column + "' value " + value + ": " + detail;
  }
}
