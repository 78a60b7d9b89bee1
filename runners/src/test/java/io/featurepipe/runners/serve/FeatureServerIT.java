package io.featurepipe.runners.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.featurepipe.sinks.online.OnlineReader;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.sinks.online.BigtableTarget;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The feature server on loopback against the store filled from a backfill of the sample ({@link
 * ServingStore}): the same objects as {@code get}, request features, health, metrics, and every
 * 4xx and 5xx with its message and no stack trace.
 */
@ExtendWith(ServingStore.Resolver.class)
class FeatureServerIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String T = "2026-01-09T10:19:07.123456789Z";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static ServingStore store;
  private static OnlineReader reader;
  private static StoreHealth health;
  private static FeatureServer server;

  @BeforeAll
  static void start(ServingStore s) throws Exception {
    store = s;
    reader = OnlineReader.open(s.features, s.repository);
    health = new StoreHealth(s.features, s.repository);
    server = FeatureServer.start(new FeatureLookup(s.repository, reader), health, new FeatureServer.Limits(3, 2048, 4), "127.0.0.1", 0);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
      health.close();
      reader.close();
    }
  }

  private static HttpResponse<String> post(FeatureServer to, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(to.uri().resolve("/v1/features")).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> send(String method, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(server.uri().resolve(path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode rows(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("application/json; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
    return JSON.readTree(r.body()).get("rows");
  }

  /** The same read through {@code get}'s code path, as the JSON lines it prints. */
  private static String viaGet(List<String> features, List<Map<String, Object>> keys, Map<String, Object> fields) {
    FeatureSelection s = FeatureSelection.parse(store.repository, features);
    StringBuilder b = new StringBuilder();
    new FeatureLookup(store.repository, reader).read(s, keys, AsOf.parse(T), fields).forEach(o -> b.append(o).append('\n'));
    return b.toString();
  }

  @Test
  void answersTheSameObjectsAsGetForManyKeys() throws Exception {
    FeatureRow row = store.offlineRows("user_spend", LocalDate.of(2026, 1, 9)).stream()
        .filter(r -> r.windowEndMillis() == Instant.parse("2026-01-09T10:00:00Z").toEpochMilli()).findFirst().orElseThrow();
    String user = (String) row.key().get(0);
    JsonNode rows = rows(post(server,
        "{\"features\": [\"user_spend:*\"], \"keys\": [{\"user_id\": \"" + user + "\"}, {\"user_id\": \"u9999\"}],"
            + " \"as_of\": \"" + T + "\"}"));
    assertEquals(2, rows.size());
    StringBuilder served = new StringBuilder();
    rows.forEach(o -> served.append(o).append('\n'));
    assertEquals(viaGet(List.of("user_spend:*"), List.of(Map.of("user_id", user), Map.of("user_id", "u9999")), Map.of()), served.toString());
    assertEquals(row.values()[1], rows.get(0).get("txn_count_1d").asLong());
    assertEquals("2026-01-09T10:00:00Z", rows.get(0).get("_window_end").asText());
    assertTrue(rows.get(0).get("_fresh").asBoolean());

    // features as one comma-separated string, no as_of: as of now, the latest window end
    JsonNode now = rows(post(server, "{\"features\": \"merchant_risk:txn_count_1d,merchant_risk:users_1d\", \"keys\": [{\"merchant_id\": \"m001\"}]}"));
    assertEquals("2026-01-09T23:00:00Z", now.get(0).get("_window_end").asText());
    assertFalse(now.get(0).get("_fresh").asBoolean());
  }

  @Test
  void computesRequestFeaturesFromTheRequestContext() throws Exception {
    JsonNode rows = rows(post(server,
        "{\"features\": [\"payment_context:*\"], \"keys\": [{\"user_id\": \"u0001\", \"merchant_id\": \"m001\"}],"
            + " \"as_of\": \"" + T + "\", \"request\": {\"amount_eur\": 99999, \"channel\": \"app\"}}"));
    assertEquals(
        viaGet(List.of("payment_context:*"), List.of(Map.of("user_id", "u0001", "merchant_id", "m001")),
            Map.of("amount_eur", 99999.0, "channel", "app")),
        rows.get(0).toString() + "\n");
    assertTrue(rows.get(0).get("above_user_max_7d").asBoolean());
    assertTrue(rows.get(0).get("card_not_present").asBoolean());
  }

  private static void assertError(HttpResponse<String> r, int status, String fragment) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode body = JSON.readTree(r.body());
    assertEquals(status, body.get("status").asInt(), r.body());
    assertTrue(body.get("error").asText().contains(fragment), () -> "expected '" + fragment + "' in " + r.body());
    assertFalse(r.body().contains("Exception") || r.body().contains("\tat ") || r.body().contains("io.featurepipe"), r.body());
  }

  @Test
  void badRequestsGet4xxAnswersThatSayWhatIsWrong() throws Exception {
    String key = "\"keys\": [{\"user_id\": \"u0001\"}]";
    assertError(post(server, "{\"features\": [\"user_spend:*\"], " + key), 400, "the body is not JSON");
    assertError(post(server, "[1, 2]"), 400, "the body must be a JSON object");
    assertError(post(server, ""), 400, "the body must be a JSON object {\"features\": [...], \"keys\": [...]}, not nothing");
    assertError(post(server, "{\"features\": [\"user_spend:*\"], " + key + "} {}"), 400, "the body is not JSON");
    assertError(post(server, "{\"features\": [\"user_spend:*\"], \"keys\": [], \"features\": []}"), 400, "Duplicate field 'features'");
    assertError(post(server, "{\"feature\": [\"user_spend:*\"], " + key + "}"), 400, "unknown field 'feature' in the request");
    assertError(post(server, "{" + key + "}"), 400, "features is missing");
    assertError(post(server, "{\"features\": [\"user_spend:txn_count_2d\"], " + key + "}"), 400,
        "feature group 'user_spend' has no feature 'txn_count_2d'; did you mean 'txn_count_1d'?");
    assertError(post(server, "{\"features\": [\"user_spend:*\"], \"keys\": [{\"merchant_id\": \"m001\"}]}"), 400,
        "keys[0]: 'merchant_id' is not a key column of the entities read");
    assertError(post(server, "{\"features\": [\"user_spend:*\", \"merchant_risk:*\"], " + key + "}"), 400,
        "keys[0]: the key has no value for key column 'merchant_id'");
    assertError(post(server, "{\"features\": [\"user_spend:*\"], \"keys\": [{\"user_id\": 42}]}"), 400,
        "keys[0]: key column 'user_id' is string, not the number 42");
    assertError(post(server, "{\"features\": [\"user_spend:*\"], \"keys\": [{\"user_id\": \"a\"}, {\"user_id\": \"b\"},"
        + " {\"user_id\": \"c\"}, {\"user_id\": \"d\"}]}"), 400, "too many keys: 4, this server answers at most 3 per request");
    assertError(post(server, "{\"features\": [\"user_spend:*\"], " + key + ", \"as_of\": \"yesterday\"}"), 400,
        "as_of 'yesterday' is not a time");
    assertError(post(server, "{\"features\": [\"user_spend:*\"], " + key + ", \"as_of\": 1767952747}"), 400,
        "as_of must be an ISO-8601 string");
    assertError(post(server, "{\"features\": [\"user_spend:*\"], " + key + ", \"as_of\": \"2026-01-01T00:00:00Z\"}"), 400,
        "older than the online store keeps");
    String both = "\"keys\": [{\"user_id\": \"u0001\", \"merchant_id\": \"m001\"}]";
    assertError(post(server, "{\"features\": [\"payment_context:*\"], " + both + "}"), 400,
        "request field 'amount_eur' (double) is required by request features payment_context");
    assertError(post(server, "{\"features\": [\"payment_context:*\"], " + both + ", \"request\": {\"amount_eur\": 1, \"chanel\": \"web\"}}"),
        400, "unknown request field 'chanel'; did you mean 'channel'?");
    assertError(post(server, "{\"features\": [\"payment_context:*\"], " + both + ", \"request\": {\"amount_eur\": \"1\"}}"),
        400, "request field 'amount_eur' is double, not the string \"1\"");
    assertError(post(server, "{\"features\": [\"user_spend:*\"], " + key + ", \"pad\": \"" + "x".repeat(3000) + "\"}"),
        413, "over this server's limit of 2048 bytes");
    assertError(post(server, "{\"features\": [\"unguarded:*\"], \"keys\": [{\"user_id\": \"u9999\"}], \"as_of\": \"" + T
        + "\", \"request\": {\"amount_eur\": 5}}"), 422, "request feature unguarded.ratio_to_mean failed for key {user_id=u9999}");
    assertError(send("GET", "/v1/features"), 405, "GET is not allowed here: use POST");
    assertEquals("POST", send("GET", "/v1/features").headers().firstValue("Allow").orElse(""));
    assertError(send("POST", "/health"), 405, "use GET");
    assertError(send("GET", "/v2/features"), 404, "no such endpoint /v2/features");
  }

  @Test
  void storeErrorsAre5xxWithAShortMessage() throws Exception {
    // user_logins was never written into this store: the reader refuses to answer "empty"
    assertError(post(server, "{\"features\": [\"user_logins:*\"], \"keys\": [{\"user_id\": \"u0001\"}]}"), 503,
        "has no watermark for group 'user_logins'");
  }

  @Test
  void healthSaysTheStoreAnswersAndEachGroupsWatermarkAndFreshness() throws Exception {
    HttpResponse<String> r = send("GET", "/health");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode h = JSON.readTree(r.body());
    assertEquals("ok", h.get("status").asText());
    JsonNode spend = h.get("groups").get("user_spend");
    assertEquals(store.repository.group("user_spend").version(), spend.get("version").asText());
    assertEquals("2026-01-09T23:00:00Z", spend.get("watermark").asText());
    assertTrue(spend.get("written").asBoolean());
    assertFalse(spend.get("fresh").asBoolean(), "M is in January 2026, the wall clock is later");
    assertTrue(spend.get("lag_seconds").asLong() > 0);
    assertFalse(h.get("groups").get("user_logins").get("written").asBoolean());
    assertFalse(h.get("fresh").asBoolean());
    assertTrue(names(h.get("stale_groups")).containsAll(List.of("user_spend", "user_logins")), h.toString());
    assertEquals(store.repository.requestFeatures("payment_context").version(),
        h.get("request_features").get("payment_context").get("version").asText());
    // as of an instant just after M is available: fresh, and only the group never written is stale
    JsonNode then = health.check(Instant.parse("2026-01-09T23:30:00Z"));
    assertTrue(then.get("groups").get("user_spend").get("fresh").asBoolean());
    assertTrue(names(then.get("stale_groups")).contains("user_logins"), then.toString());
    assertFalse(names(then.get("stale_groups")).contains("user_spend"), then.toString());

    // the readiness probe: 503 while a group is stale, with the same body
    HttpResponse<String> ready = send("GET", "/health?require=fresh");
    assertEquals(503, ready.statusCode(), ready.body());
    assertEquals("ok", JSON.readTree(ready.body()).get("status").asText());
    assertError(send("GET", "/health?require=everything"), 400, "GET /health?require=fresh");
  }

  private static List<String> names(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void metricsCountRequestsLatenciesAndErrors() throws Exception {
    try (FeatureServer own = FeatureServer.start(new FeatureLookup(store.repository, reader), health, FeatureServer.Limits.defaults(), "127.0.0.1", 0)) {
      String ok = "{\"features\": [\"user_spend:txn_count_1d\"], \"keys\": [{\"user_id\": \"u0001\"}, {\"user_id\": \"u0002\"}], \"as_of\": \"" + T + "\"}";
      assertEquals(200, post(own, ok).statusCode());
      assertEquals(200, post(own, ok).statusCode());
      assertEquals(400, post(own, "{").statusCode());
      HttpResponse<String> m = HTTP.send(HttpRequest.newBuilder(own.uri().resolve("/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, m.statusCode());
      assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), m.headers().toString());
      String text = m.body();
      assertEquals(2.0, sample(text, "featurepipe_serve_requests_total{code=\"200\",endpoint=\"/v1/features\"}"), text);
      assertEquals(1.0, sample(text, "featurepipe_serve_requests_total{code=\"400\",endpoint=\"/v1/features\"}"), text);
      assertEquals(1.0, sample(text, "featurepipe_serve_errors_total{kind=\"bad_request\"}"), text);
      assertEquals(4.0, sample(text, "featurepipe_serve_keys_total"), text);
      assertEquals(3.0, sample(text, "featurepipe_serve_request_duration_seconds_count{endpoint=\"/v1/features\"}"), text);
      assertEquals(2.0, sample(text, "featurepipe_serve_lookup_duration_seconds_count"), text);
      assertEquals(3.0, sample(text, "featurepipe_serve_request_duration_seconds_bucket{endpoint=\"/v1/features\",le=\"+Inf\"}"), text);
    }
  }

  @Test
  void aFullServerAnswersBusyAndStopsWithAReadInFlight() throws Exception {
    // a "store" that accepts connections and never answers: a read through it hangs
    try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      OnlineReader stuck = OnlineReader.open(
          BigtableTarget.parse("p/i/features").withEmulator("127.0.0.1:" + blackHole.getLocalPort()), store.repository);
      FeatureServer one = FeatureServer.start(new FeatureLookup(store.repository, stuck), health, new FeatureServer.Limits(3, 2048, 1), "127.0.0.1", 0);
      String body = "{\"features\": [\"user_spend:txn_count_1d\"], \"keys\": [{\"user_id\": \"u0001\"}], \"as_of\": \"" + T + "\"}";
      CompletableFuture<HttpResponse<String>> first = HTTP.sendAsync(
          HttpRequest.newBuilder(one.uri().resolve("/v1/features")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      Thread.sleep(1000); // the first request holds the only permit, its read hanging
      long start = System.nanoTime();
      assertError(post(one, body), 503, "the feature server is busy: 1 feature requests are open");
      assertTrue(System.nanoTime() - start >= 4_000_000_000L, "waited for a permit first");
      assertEquals(200, HTTP.send(HttpRequest.newBuilder(one.uri().resolve("/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString())
          .statusCode(), "metrics take no permit");
      start = System.nanoTime();
      one.close(); // waits up to 5 s for the read in flight, then closes the connections
      assertTrue(System.nanoTime() - start >= 4_000_000_000L, "close waited for the answer in flight");
      assertThrows(Exception.class, () -> first.get(10, TimeUnit.SECONDS), "the hanging request's connection is closed");
      // the client's close waits for its hanging call (the read's 5-minute timeout): not waited for here
      Thread closer = new Thread(stuck::close, "close-stuck-reader");
      closer.setDaemon(true);
      closer.start();
    }
  }

  private static double sample(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  @Test
  void theServerAnswersConcurrentClients() throws Exception {
    String body = "{\"features\": [\"merchant_risk:*\"], \"keys\": [{\"merchant_id\": \"m001\"}], \"as_of\": \"" + T + "\"}";
    String expected = rows(post(server, body)).toString();
    List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> all = new java.util.ArrayList<>();
    for (int i = 0; i < 16; i++) {
      all.add(HTTP.sendAsync(
          HttpRequest.newBuilder(server.uri().resolve("/v1/features")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (var f : all) {
      assertEquals(expected, rows(f.get()).toString());
    }
    assertEquals(URI.create("http://127.0.0.1:" + server.port() + "/"), server.uri());
  }
}
