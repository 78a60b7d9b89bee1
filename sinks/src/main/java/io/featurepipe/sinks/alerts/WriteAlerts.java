package io.featurepipe.sinks.alerts;

import io.featurepipe.transforms.record.Alert;
import io.featurepipe.transforms.record.DeadLetter;
import java.time.Duration;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes data-quality alerts ({@link Alert}, produced by the validation module) to every output
 * configured: JSON lines under an alert location ({@link AlertJson}, one file per window: {@code
 * <location>/alerts-<window>-<shard>.jsonl}), log lines, Beam metrics (always), and an optional
 * webhook POST per alert. Returns the alerts the webhook could not take, as dead letters.
 *
 * <p>Streams must window the alerts (the validation transforms emit them in their statistics
 * windows): each window's file is written when the watermark passes the window's end, so alerts
 * reach the location within one statistics window.
 *
 * <pre>{@code
 * PCollection<DeadLetter> undelivered = alerts.apply("WriteAlerts",
 *     WriteAlerts.create().withLocation("out/alerts").withWebhook("https://hooks.example/x"));
 * }</pre>
 */
public final class WriteAlerts extends PTransform<PCollection<Alert>, PCollection<DeadLetter>> {
  private final String location;
  private final boolean log;
  private final String webhook;
  private final int attempts;
  private final Duration backoff;

  private WriteAlerts(String location, boolean log, String webhook, int attempts, Duration backoff) {
    this.location = location;
    this.log = log;
    this.webhook = webhook;
    this.attempts = attempts;
    this.backoff = backoff;
  }

  /** Logs and counts alerts; add outputs with {@code withX}. */
  public static WriteAlerts create() {
    return new WriteAlerts(null, true, null, 3, Duration.ofSeconds(1));
  }

  /** Also writes JSON lines files under this location (a directory; any Beam file system). */
  public WriteAlerts withLocation(String newLocation) {
    if (newLocation == null || newLocation.isEmpty()) {
      throw new IllegalArgumentException("alert location must not be empty");
    }
    return new WriteAlerts(newLocation, log, webhook, attempts, backoff);
  }

  public WriteAlerts withLogging(boolean newLog) {
    return new WriteAlerts(location, newLog, webhook, attempts, backoff);
  }

  /** Also POSTs each alert's JSON to this http(s) URL. */
  public WriteAlerts withWebhook(String url) {
    if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
      throw new IllegalArgumentException("webhook must be an http(s) URL, not '" + url + "'");
    }
    return new WriteAlerts(location, log, url, attempts, backoff);
  }

  /** Tries per alert before it becomes a dead letter (default 3), waiting {@code backoff × try} between (default 1 s). */
  public WriteAlerts withWebhookRetries(int newAttempts, Duration newBackoff) {
    if (newAttempts < 1 || newBackoff == null || newBackoff.isNegative()) {
      throw new IllegalArgumentException("webhook retries need attempts >= 1 and a backoff >= 0, got " + newAttempts + ", " + newBackoff);
    }
    return new WriteAlerts(location, log, webhook, newAttempts, newBackoff);
  }

  @Override
  public PCollection<DeadLetter> expand(PCollection<Alert> alerts) {
    alerts.apply("LogAndCount", ParDo.of(new LogAndCountAlerts(log)));
    if (location != null) {
      alerts
          .apply("ToJson", MapElements.into(TypeDescriptors.strings()).via(AlertJson::toJson))
          .setCoder(StringUtf8Coder.of())
          .apply("WriteJsonLines",
              FileIO.<String>write().via(TextIO.sink()).to(location)
                  .withPrefix("alerts").withSuffix(".jsonl").withNumShards(1));
    }
    if (webhook != null) {
      return alerts
          .apply("Webhook", ParDo.of(new PostAlerts(webhook, attempts, backoff, Duration.ofSeconds(10))))
          .setCoder(DeadLetter.Coder.of());
    }
    return alerts.getPipeline().apply("NoWebhook", Create.empty(DeadLetter.Coder.of()));
  }
}
