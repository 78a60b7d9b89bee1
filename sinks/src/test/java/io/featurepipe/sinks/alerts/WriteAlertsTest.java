package io.featurepipe.sinks.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.featurepipe.transforms.record.Alert;
import io.featurepipe.transforms.record.DeadLetter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** JSON lines, webhook (a local HTTP server), metrics, and undeliverable alerts as dead letters. */
class WriteAlertsTest {
  @RegisterExtension final transient TestPipelineExtension pipeline = TestPipelineExtension.create();
  @TempDir Path dir;

  private static final long HOUR = 3_600_000L;
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpServer server;
  private final List<String> received = Collections.synchronizedList(new ArrayList<>());
  private volatile int status = 200;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/hook", exchange -> {
      received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
          + " " + exchange.getRequestHeaders().getFirst("Content-Type"));
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private String hook() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  static List<Alert> alerts() {
    return List.of(
        new Alert("user_spend", "amount", "FLOAT_TYPE_BIG_FLOAT", 250000.0, 100000.0, T0, T0 + HOUR,
            Alert.Severity.ERROR, "user_spend/input / amount: Out-of-range values"),
        new Alert("user_spend", "", "freshness", 9000.0, 7320.0, T0, T0 + HOUR,
            Alert.Severity.WARNING, "online watermark is behind"),
        new Alert("logins", "country", "SCHEMA_MISSING_COLUMN", null, null, T0, T0 + HOUR,
            Alert.Severity.ERROR, "column dropped"));
  }

  @Test
  void writesJsonLinesPostsToWebhookAndCounts(TestPipeline p) throws IOException {
    PCollection<DeadLetter> undelivered =
        p.apply(Create.of(alerts()).withCoder(Alert.Coder.of()))
            .apply("WriteAlerts", WriteAlerts.create().withLocation(dir.toString()).withWebhook(hook()));
    PAssert.that(undelivered).empty();
    PipelineResult result = p.run();
    result.waitUntilFinish();

    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("alerts")).toList()) {
        assertTrue(f.getFileName().toString().endsWith(".jsonl"), f.toString());
        lines.addAll(Files.readAllLines(f));
      }
    }
    List<String> expected = alerts().stream().map(AlertJson::toJson).sorted().toList();
    assertEquals(expected, lines.stream().sorted().toList());
    JsonNode first = JSON.readTree(AlertJson.toJson(alerts().get(0)));
    assertEquals("ERROR", first.get("severity").asText());
    assertEquals(250000.0, first.get("measured").asDouble());
    assertEquals("2026-01-01T01:00:00Z", first.get("window_end").asText());
    assertTrue(JSON.readTree(AlertJson.toJson(alerts().get(2))).get("measured").isNull());

    assertEquals(expected.stream().map(j -> j + " application/json").toList(), received.stream().sorted().toList());
    assertEquals(2, counter(result, "alerts_error"));
    assertEquals(1, counter(result, "alerts_warning"));
    assertEquals(1, counter(result, "alerts_user_spend_freshness"));
    assertEquals(3, counter(result, "alerts_webhook_sent"));
  }

  @Test
  void undeliverableAlertsBecomeDeadLetters(TestPipeline p) {
    status = 500;
    PCollection<DeadLetter> undelivered =
        p.apply(Create.of(alerts()).withCoder(Alert.Coder.of()))
            .apply("WriteAlerts", WriteAlerts.create().withLogging(false).withWebhook(hook())
                .withWebhookRetries(2, Duration.ZERO));
    PAssert.that(undelivered.apply(MapElements.into(TypeDescriptors.strings()).via(d -> d.step() + " " + d.reason())))
        .containsInAnyOrder(Collections.nCopies(3, "WriteAlerts/Webhook webhook " + hook() + " failed after 2 attempts: HTTP 500"));
    PAssert.that(undelivered.apply("Payloads", MapElements.into(TypeDescriptors.strings()).via(DeadLetter::payload)))
        .containsInAnyOrder(alerts().stream().map(AlertJson::toJson).toList());
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(6, received.size());
    assertEquals(3, counter(result, "alerts_webhook_failed"));
  }

  @Test
  void streamingAlertsAreWrittenPerWindow(TestPipeline p) throws IOException {
    List<Alert> a = alerts();
    TestStream<Alert> stream =
        TestStream.create(Alert.Coder.of())
            .addElements(TimestampedValue.of(a.get(0), new Instant(T0 + 10)))
            .advanceWatermarkTo(new Instant(T0 + HOUR + 1))
            .addElements(TimestampedValue.of(a.get(1), new Instant(T0 + HOUR + 20)),
                TimestampedValue.of(a.get(2), new Instant(T0 + HOUR + 30)))
            .advanceWatermarkToInfinity();
    p.apply(stream)
        .apply(Window.into(FixedWindows.of(org.joda.time.Duration.standardHours(1))))
        .apply("WriteAlerts", WriteAlerts.create().withLogging(false).withLocation(dir.toString()));
    p.run().waitUntilFinish();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(f -> f.getFileName().toString().startsWith("alerts")).sorted().toList();
    }
    assertEquals(2, files.size(), files.toString());
    assertTrue(files.get(0).getFileName().toString().contains("2026-01-01T00:00:00.000Z-2026-01-01T01:00:00.000Z"), files.toString());
    assertEquals(List.of(AlertJson.toJson(a.get(0))), Files.readAllLines(files.get(0)));
    assertEquals(2, Files.readAllLines(files.get(1)).size());
  }

  private static long counter(PipelineResult result, String name) {
    long sum = 0;
    for (MetricResult<Long> c : result.metrics()
        .queryMetrics(MetricsFilter.builder().addNameFilter(MetricNameFilter.named("featurepipe", name)).build())
        .getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }
}
