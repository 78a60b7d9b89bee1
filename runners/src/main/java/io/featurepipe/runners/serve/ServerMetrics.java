package io.featurepipe.runners.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * The feature server's metrics, in the Prometheus text format ({@code GET /metrics}), kept with the
 * official Prometheus Java client in a registry of the server's own:
 *
 * <ul>
 *   <li>{@code featurepipe_serve_requests_total{endpoint, code}}: answered requests by status;
 *   <li>{@code featurepipe_serve_request_duration_seconds{endpoint}}: time from the request line to
 *       the last byte of the answer (a histogram);
 *   <li>{@code featurepipe_serve_lookup_duration_seconds}: of that, the online read and the
 *       request features (a histogram);
 *   <li>{@code featurepipe_serve_keys_total}: keys answered;
 *   <li>{@code featurepipe_serve_errors_total{kind}}: {@code bad_request}, {@code too_large},
 *       {@code request_feature}, {@code store}, {@code busy} (no permit in time, or stopping), {@code internal}.
 * </ul>
 */
public final class ServerMetrics {
  /** Latency buckets in seconds: from a quarter millisecond (a loopback hit) to 5 s. */
  private static final double[] BUCKETS = {
    0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5
  };

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests;
  private final Histogram duration;
  private final Histogram lookup;
  private final Counter keys;
  private final Counter errors;
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  public ServerMetrics() {
    requests = Counter.builder().name("featurepipe_serve_requests_total")
        .help("Requests answered, by endpoint and HTTP status.").labelNames("endpoint", "code")
        .withoutExemplars().register(registry);
    duration = Histogram.builder().name("featurepipe_serve_request_duration_seconds")
        .help("Time to answer a request, by endpoint.").labelNames("endpoint")
        .classicOnly().classicUpperBounds(BUCKETS).withoutExemplars().register(registry);
    lookup = Histogram.builder().name("featurepipe_serve_lookup_duration_seconds")
        .help("Time of the online read and the request features of a feature request.")
        .classicOnly().classicUpperBounds(BUCKETS).withoutExemplars().register(registry);
    keys = Counter.builder().name("featurepipe_serve_keys_total").help("Keys answered.")
        .withoutExemplars().register(registry);
    errors = Counter.builder().name("featurepipe_serve_errors_total")
        .help("Requests answered with an error, by kind.").labelNames("kind")
        .withoutExemplars().register(registry);
  }

  void answered(String endpoint, int code, long nanos) {
    requests.labelValues(endpoint, Integer.toString(code)).inc();
    duration.labelValues(endpoint).observe(nanos / 1e9);
  }

  void lookedUp(int keyCount, long nanos) {
    keys.inc(keyCount);
    lookup.observe(nanos / 1e9);
  }

  void error(String kind) {
    errors.labelValues(kind).inc();
  }

  /** The Prometheus text exposition of every metric. */
  byte[] scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.write(out, registry.scrape());
    return out.toByteArray();
  }

  String contentType() {
    return writer.getContentType();
  }
}
