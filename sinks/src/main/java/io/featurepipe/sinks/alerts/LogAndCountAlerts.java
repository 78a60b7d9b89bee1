package io.featurepipe.sinks.alerts;

import io.featurepipe.transforms.record.Alert;
import java.util.Locale;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each alert (WARN or ERROR level, logger {@code featurepipe.alerts}, the alert's JSON) when
 * logging is on, and counts it: {@code featurepipe:alerts_<severity>} and {@code
 * featurepipe:alerts_<group>_<check>}.
 */
final class LogAndCountAlerts extends DoFn<Alert, Void> {
  private static final Logger LOG = LoggerFactory.getLogger("featurepipe.alerts");
  private final boolean log;

  LogAndCountAlerts(boolean log) {
    this.log = log;
  }

  @ProcessElement
  public void process(@Element Alert alert) {
    Metrics.counter("featurepipe", "alerts_" + alert.severity().name().toLowerCase(Locale.ROOT)).inc();
    Metrics.counter("featurepipe", "alerts_" + alert.group() + "_" + alert.check()).inc();
    if (!log) {
      return;
    }
    if (alert.severity() == Alert.Severity.ERROR) {
      LOG.error("featurepipe alert {}", AlertJson.toJson(alert));
    } else {
      LOG.warn("featurepipe alert {}", AlertJson.toJson(alert));
    }
  }
}
