package io.featurepipe.testdata;

import java.time.Instant;

/**
 * A row of {@code spine.csv}: a payment to score, as of its own event time, with its label. Training
 * sets join features to these rows point-in-time.
 */
public record SpineRow(String userId, String merchantId, Instant eventTime, boolean isFraud) {

  public String toCsv() {
    return userId + "," + merchantId + "," + Formats.isoMicros(eventTime) + "," + isFraud;
  }
}
