package io.featurepipe.validation.alert;

import io.featurepipe.transforms.record.Alert;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which severity each check's alerts get, overriding the severity the check itself assigned (an
 * anomaly's severity, a freshness or volume threshold's), and which checks raise no alert at all.
 * Checks are named as in {@link Alert#check()}: anomaly types ({@code COMPARATOR_L_INFTY_HIGH}),
 * {@code freshness}, {@code volume}. Immutable.
 *
 * <pre>{@code
 * AlertPolicy policy = AlertPolicy.defaults()
 *     .withSeverity("SCHEMA_NEW_COLUMN", Alert.Severity.WARNING)
 *     .withMuted("COMPARATOR_CONTROL_DATA_MISSING");
 * }</pre>
 */
public record AlertPolicy(Map<String, Alert.Severity> severities, Map<String, Boolean> muted)
    implements Serializable {

  public AlertPolicy {
    severities = Collections.unmodifiableMap(new LinkedHashMap<>(severities));
    muted = Collections.unmodifiableMap(new LinkedHashMap<>(muted));
  }

  /** Every check alerts with its own severity. */
  public static AlertPolicy defaults() {
    return new AlertPolicy(Map.of(), Map.of());
  }

  public AlertPolicy withSeverity(String check, Alert.Severity severity) {
    Map<String, Alert.Severity> m = new LinkedHashMap<>(severities);
    m.put(check, severity);
    return new AlertPolicy(m, muted);
  }

  public AlertPolicy withMuted(String check) {
    Map<String, Boolean> m = new LinkedHashMap<>(muted);
    m.put(check, true);
    return new AlertPolicy(severities, m);
  }

  /** The alert with the policy applied, or null when its check is muted. */
  public Alert apply(Alert alert) {
    if (muted.getOrDefault(alert.check(), false)) {
      return null;
    }
    Alert.Severity s = severities.get(alert.check());
    if (s == null || s == alert.severity()) {
      return alert;
    }
    return new Alert(alert.group(), alert.feature(), alert.check(), alert.measured(), alert.threshold(),
        alert.windowStartMillis(), alert.windowEndMillis(), s, alert.message());
  }
}
