package io.featurepipe.sinks.alerts;

import io.featurepipe.transforms.record.Alert;
import io.featurepipe.transforms.record.DeadLetter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * POSTs each alert as JSON to a webhook; after {@code attempts} failed tries (a non-2xx answer or
 * no answer), the alert goes to the dead-letter output with the last error, and {@code
 * featurepipe:alerts_webhook_failed} counts it. Counts deliveries as {@code alerts_webhook_sent}.
 */
final class PostAlerts extends DoFn<Alert, DeadLetter> {
  private final String url;
  private final int attempts;
  private final Duration backoff;
  private final Duration timeout;
  private final Counter sent = Metrics.counter("featurepipe", "alerts_webhook_sent");
  private final Counter failed = Metrics.counter("featurepipe", "alerts_webhook_failed");
  private transient HttpClient client;

  PostAlerts(String url, int attempts, Duration backoff, Duration timeout) {
    this.url = url;
    this.attempts = attempts;
    this.backoff = backoff;
    this.timeout = timeout;
  }

  @Setup
  public void setup() {
    client = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @ProcessElement
  public void process(@Element Alert alert, OutputReceiver<DeadLetter> out) throws InterruptedException {
    String body = AlertJson.toJson(alert);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    String error = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 == 2) {
          sent.inc();
          return;
        }
        error = "HTTP " + response.statusCode();
      } catch (IOException e) {
        error = e.toString();
      }
      if (attempt < attempts && !backoff.isZero()) {
        Thread.sleep(backoff.toMillis() * attempt);
      }
    }
    failed.inc();
    out.output(new DeadLetter(alert.group(), "WriteAlerts/Webhook",
        "webhook " + url + " failed after " + attempts + " attempts: " + error, body, ""));
  }
}
