package io.featurepipe.testdata;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * One card payment (an authorization), as written to {@code payments/YYYY-MM-DD.jsonl}.
 *
 * @param txnId unique id, 13 characters ({@code t} and 12 hex digits)
 * @param eventTime when it happened, with microsecond precision (some exactly on an hour)
 * @param cardId the card; its first two letters are the issuing (home) country of the user
 * @param merchantCategory null for a few payments (category code not reported)
 * @param amount in {@code currency}; null for a few payments (amount not reported)
 * @param currency ISO 4217 code
 * @param country where the merchant (or its local entity) is: the transaction country
 * @param channel {@code pos}, {@code web} or {@code app}
 * @param isFraud the label: part of a fraud incident
 * @param arrivalTime when the event reached the event log (not written to files; the files list
 *     events in this order). Most arrive within 3 seconds; late ones minutes to hours later.
 */
public record Payment(
    String txnId,
    Instant eventTime,
    String userId,
    String cardId,
    String merchantId,
    String merchantCategory,
    Double amount,
    String currency,
    String country,
    String channel,
    boolean isFraud,
    Instant arrivalTime) {

  /** The UTC day of the event: the file it is written to. */
  public LocalDate day() {
    return LocalDate.ofInstant(eventTime, ZoneOffset.UTC);
  }

  /** The JSON line written to the payments file (without the line break). */
  public String toJson() {
    return Formats.paymentJson(this);
  }
}
