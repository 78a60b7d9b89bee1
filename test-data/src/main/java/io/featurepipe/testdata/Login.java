package io.featurepipe.testdata;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * One login attempt to online banking or the app, as written to {@code logins/YYYY-MM-DD.csv}.
 *
 * @param eventTime when it happened, with millisecond precision (the files hold epoch millis)
 * @param deviceId the device; a device a user never used before appears for new phones and for
 *     account takeovers
 * @param ipCountry where the IP address is located
 * @param success whether the credentials were accepted
 * @param arrivalTime when the event reached the event log (not written; the files list events in
 *     this order)
 */
public record Login(
    Instant eventTime,
    String userId,
    String deviceId,
    String ipCountry,
    boolean success,
    Instant arrivalTime) {

  /** The UTC day of the event: the file it is written to. */
  public LocalDate day() {
    return LocalDate.ofInstant(eventTime, ZoneOffset.UTC);
  }

  /** The CSV line written to the logins file (without the line break). */
  public String toCsv() {
    return Formats.loginCsv(this);
  }
}
