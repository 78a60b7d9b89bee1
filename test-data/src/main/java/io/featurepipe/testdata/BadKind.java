package io.featurepipe.testdata;

/** The ways a line of the sample files is malformed (see test-data/README.md). */
public enum BadKind {
  /** payments: the line is cut off part-way (a writer died mid-record): not valid JSON. */
  TRUNCATED_JSON("truncated_json"),
  /** payments: {@code "amount":"12,50"} (decimal comma) or {@code "amount":"n/a"}. */
  NON_NUMERIC_AMOUNT("non_numeric_amount"),
  /** payments: the {@code event_time} key is absent or null; logins: the first column is empty. */
  MISSING_EVENT_TIME("missing_event_time"),
  /**
   * payments: {@code event_time} like {@code 05/01/2026 13:04:05} or
   * {@code Mon Jan 05 13:04:05 UTC 2026}; logins: an ISO-8601 text or fractional seconds where
   * epoch millis belong.
   */
  UNPARSEABLE_TIMESTAMP("unparseable_timestamp"),
  /** payments: {@code "user_id":null} although the column is required. */
  NULL_USER_ID("null_user_id"),
  /**
   * logins: six columns (an unquoted comma inside the device name) or four (the line lost its
   * last column).
   */
  WRONG_COLUMN_COUNT("wrong_column_count");

  private final String code;

  BadKind(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
