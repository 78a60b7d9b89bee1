package io.featurepipe.validation.monitor;

import io.featurepipe.transforms.record.Alert;
import io.featurepipe.validation.anomalies.AnomalyReasons;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Freshness of the online store: how far a group's watermark (the latest window end the store
 * holds completely, DESIGN §3) is behind now. The check is {@code freshness}; measured and
 * threshold are in seconds; the alert's window runs from the watermark to now.
 */
public final class FreshnessCheck {
  public static final String CHECK = "freshness";

  private FreshnessCheck() {}

  /** The lag of a watermark behind now (zero when the watermark is ahead). */
  public static Duration lag(Instant watermark, Instant now) {
    Duration d = Duration.between(watermark, now);
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** An alert when the lag exceeds the policy's thresholds, else empty. */
  public static Optional<Alert> check(String group, Instant watermark, Instant now, FreshnessPolicy policy) {
    Duration lag = lag(watermark, now);
    Alert.Severity severity;
    Duration threshold;
    if (lag.compareTo(policy.errorAfter()) > 0) {
      severity = Alert.Severity.ERROR;
      threshold = policy.errorAfter();
    } else if (lag.compareTo(policy.warnAfter()) > 0) {
      severity = Alert.Severity.WARNING;
      threshold = policy.warnAfter();
    } else {
      return Optional.empty();
    }
    double measured = lag.toMillis() / 1000.0;
    return Optional.of(new Alert(group, "", CHECK, measured, threshold.toMillis() / 1000.0,
        watermark.toEpochMilli(), now.toEpochMilli(), severity,
        "online watermark of " + group + " is " + AnomalyReasons.format(measured) + " s behind now (at "
            + watermark + "); more than " + AnomalyReasons.format(threshold.toMillis() / 1000.0) + " s means the stream is stalled or late"));
  }
}
