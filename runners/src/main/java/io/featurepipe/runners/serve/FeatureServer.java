package io.featurepipe.runners.serve;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.featurepipe.sinks.online.Futures;
import io.featurepipe.transforms.decode.RecordDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP feature server ({@code featurepipe serve}): JSON in, JSON out, on the JDK's own {@code
 * com.sun.net.httpserver} (no framework: three small endpoints need none, and it adds no
 * dependency to the shaded jar).
 *
 * <ul>
 *   <li>{@code POST /v1/features} with {@code {"features": ["user_spend:*"], "keys": [{"user_id":
 *       "u1"}], "as_of": "2026-01-09T12:00:00Z", "request": {"amount": 120.5}}} ({@code as_of}
 *       and {@code request} optional) answers {@code {"rows": [...]}}: per key the same object as
 *       {@code featurepipe get} prints ({@link FeatureLookup});
 *   <li>{@code GET /health}: the store's reachability and each group's watermark and freshness
 *       ({@link StoreHealth}); 503 when the store does not answer, and with {@code ?require=fresh}
 *       also while a group's reads are stale (a readiness probe);
 *   <li>{@code GET /metrics}: {@link ServerMetrics} in the Prometheus text format.
 * </ul>
 *
 * Errors are JSON {@code {"error": "...", "status": N}}: 400 for a request that cannot be answered
 * as asked (bad JSON, unknown field or feature, missing key column, too many keys, bad {@code
 * as_of}, a time older than the store keeps), 413 for a body over the limit, 422 when a request
 * feature's expression fails on the values read, 503 when the store fails, 500 (with an id to find
 * in the server's log) for anything else. No stack trace ever reaches a client.
 *
 * <pre>{@code
 * try (FeatureServer server = FeatureServer.start(lookup, health, FeatureServer.Limits.defaults(), "127.0.0.1", 0)) {
 *   URI features = server.uri().resolve("/v1/features");
 * }
 * }</pre>
 */
public final class FeatureServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FeatureServer.class);
  private static final Set<String> REQUEST_FIELDS = Set.of("features", "keys", "as_of", "request");
  private static final String JSON_TYPE = "application/json; charset=utf-8";

  /** Seconds a client may take to send a request, and to read an answer. */
  static final int CLIENT_SECONDS = 30;
  /** Seconds a feature request waits for one of the {@code --threads} permits before a 503. */
  static final int PERMIT_WAIT_SECONDS = 5;
  /** Seconds {@link #close} waits for the answers in flight, and then for each thread pool. */
  static final int STOP_WAIT_SECONDS = 5;

  static {
    // The JDK server leaves Nagle's algorithm on by default: a small answer written as headers then
    // body then waits for the client's delayed ACK (tens of milliseconds). Read once, when the JDK
    // server's configuration loads; an explicit -Dsun.net.httpserver.nodelay=false still wins.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    // A client that sends its request or reads its answer slower than this has its connection
    // closed, so it cannot hold a thread and a permit for long (the JDK's default: no limit).
    for (String limit : List.of("sun.net.httpserver.maxReqTime", "sun.net.httpserver.maxRspTime")) {
      if (System.getProperty(limit) == null) {
        System.setProperty(limit, String.valueOf(CLIENT_SECONDS));
      }
    }
  }

  /** Limits of a feature request. */
  public record Limits(int maxKeys, long maxBodyBytes, int threads) {
    public Limits {
      if (maxKeys < 1) {
        throw new IllegalArgumentException("--max-keys must be at least 1, not " + maxKeys);
      }
      if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("--max-body must be between 1 byte and 2 GiB, not " + maxBodyBytes);
      }
      if (threads < 1) {
        throw new IllegalArgumentException("--threads must be at least 1, not " + threads);
      }
    }

    /** 1000 keys, 1 MiB, 16 threads. */
    public static Limits defaults() {
      return new Limits(1000, 1 << 20, 16);
    }
  }

  private final FeatureLookup lookup;
  private final StoreHealth health;
  private final Limits limits;
  private final ServerMetrics metrics = new ServerMetrics();
  private final ObjectMapper json =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private final HttpServer server;
  /** Takes requests (the HTTP server's threads). */
  private final ExecutorService executor;
  /**
   * Makes and sends the answers to feature requests once the store has answered: its own threads,
   * because the request threads may all wait for a permit that only a sent answer returns.
   */
  private final ExecutorService answers;
  private final AtomicInteger errorIds = new AtomicInteger();
  private final Semaphore inFlight;
  /** The exchanges holding a permit of {@link #inFlight}. */
  private final Set<HttpExchange> permitted = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  private FeatureServer(FeatureLookup lookup, StoreHealth health, Limits limits, String host, int port) throws IOException {
    this.lookup = lookup;
    this.health = health;
    this.limits = limits;
    this.inFlight = new Semaphore(limits.threads());
    this.server = HttpServer.create(new InetSocketAddress(host, port), 0);
    this.executor = pool(limits.threads(), "feature-server-");
    this.answers = pool(limits.threads(), "feature-server-answer-");
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  private static ExecutorService pool(int threads, String name) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, name + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Runs an answer's work on an answer thread; on the calling thread once the pool is shut down. */
  private void answer(Runnable work) {
    try {
      answers.execute(work);
    } catch (RejectedExecutionException stopped) {
      work.run();
    }
  }

  /** Starts a server on {@code host:port} (port 0: any free port). */
  public static FeatureServer start(FeatureLookup lookup, StoreHealth health, Limits limits, String host, int port)
      throws IOException {
    FeatureServer s = new FeatureServer(lookup, health, limits, host, port);
    s.server.start();
    return s;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://<host>:<port>/}. */
  public URI uri() {
    InetSocketAddress a = server.getAddress();
    String host = a.getAddress().isAnyLocalAddress() ? "localhost" : a.getHostString();
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/");
  }

  /**
   * Lets the feature requests in flight be answered (up to {@link #STOP_WAIT_SECONDS}; new ones get a 503 meanwhile),
   * then stops: open connections are closed.
   */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    // Not HttpServer.stop(delay) for the wait: on JDK 17 it waits the whole delay when nothing is in
    // flight. Requests that take a permit from now on give it back at once (a 503: stopping), so
    // taking every permit waits for the answers in flight.
    boolean drained = false;
    try {
      drained = inFlight.tryAcquire(limits.threads(), STOP_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.stop(0);
    if (drained) {
      inFlight.release(limits.threads());
    }
    executor.shutdown();
    answers.shutdown();
    try {
      executor.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
      answers.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** An answer: status and body. */
  private record Answer(int status, String contentType, byte[] body) {}

  /**
   * Answers one exchange. A feature request holds a server thread only while it is read and
   * checked: the store read runs on the Bigtable client's threads, and the answer is made and
   * written by an answer thread when it completes (never by the client's own threads, which a
   * client that does not read its answer could otherwise block). At most {@code limits.threads()} feature requests
   * are open at once (a permit from the request's start to its answer sent); others wait.
   */
  private void handle(HttpExchange exchange) {
    long start = System.nanoTime();
    String path = exchange.getRequestURI().getPath();
    String endpoint = switch (path) {
      case "/v1/features", "/health", "/metrics" -> path;
      default -> "other";
    };
    CompletableFuture<Answer> answer;
    try {
      answer = route(exchange, path);
    } catch (Throwable e) {
      answer = CompletableFuture.failedFuture(e);
    }
    // sent by the thread that completes the answer: this one, or the answer thread that made the rows
    answer.whenComplete((a, e) -> {
      int status = 500;
      try {
        Answer sent = e == null ? a : failure(exchange, path, Futures.cause(e));
        status = sent.status();
        send(exchange, sent);
      } catch (IOException io) {
        LOG.debug("could not send the answer to {}: {}", exchange.getRemoteAddress(), io.getMessage());
      } catch (Throwable t) {
        LOG.error("could not answer {} {}", exchange.getRequestMethod(), path, t);
      } finally {
        try {
          exchange.close();
        } finally {
          if (permitted.remove(exchange)) {
            inFlight.release();
          }
          metrics.answered(endpoint, status, System.nanoTime() - start);
        }
      }
    });
  }

  /** The answer to a failed request: 4xx for the request's faults, 503 for the store's, 500 with a log id for a bug. */
  private Answer failure(HttpExchange exchange, String path, Throwable e) {
    if (e instanceof InvalidRequestException) {
      metrics.error("bad_request");
      return error(400, e.getMessage());
    }
    if (e instanceof BodyTooLarge) {
      metrics.error("too_large");
      return error(413, e.getMessage());
    }
    if (e instanceof RequestFeatureException) {
      metrics.error("request_feature");
      return error(422, e.getMessage());
    }
    if (e instanceof Unavailable) {
      metrics.error("busy");
      return error(503, e.getMessage());
    }
    if (e instanceof StoreException) {
      metrics.error("store");
      LOG.warn("online store error: {}", e.getMessage());
      return error(503, e.getMessage());
    }
    // a bug or a broken client connection: never a stack trace to the client
    metrics.error("internal");
    int id = errorIds.incrementAndGet();
    LOG.error("internal error #{} answering {} {}", id, exchange.getRequestMethod(), path, e);
    return error(500, "internal error #" + id + " of the feature server (see its log)");
  }

  /**
   * Whether a health check asks for fresh reads: {@code ?require=fresh} answers 503 while a group
   * is stale (a readiness probe that keeps traffic off a server whose stream lags); none answers
   * 200 whenever the store answers.
   */
  private static boolean requiresFreshness(String query) {
    if (query == null || query.isEmpty()) {
      return false;
    }
    if (query.equals("require=fresh")) {
      return true;
    }
    throw new InvalidRequestException("unknown health query '" + query + "': GET /health or GET /health?require=fresh");
  }

  private CompletableFuture<Answer> route(HttpExchange exchange, String path) throws IOException {
    String method = exchange.getRequestMethod();
    switch (path) {
      case "/v1/features":
        if (!method.equals("POST")) {
          return done(notAllowed(exchange, "POST"));
        }
        return features(exchange, readBody(exchange)).thenApply(this::ok);
      case "/health":
        if (!method.equals("GET")) {
          return done(notAllowed(exchange, "GET"));
        }
        boolean requireFresh = requiresFreshness(exchange.getRequestURI().getRawQuery());
        ObjectNode h = health.check(Instant.now());
        boolean ready = h.get("status").asText().equals("ok") && (!requireFresh || h.get("fresh").asBoolean());
        return done(new Answer(ready ? 200 : 503, JSON_TYPE, json.writeValueAsBytes(h)));
      case "/metrics":
        if (!method.equals("GET")) {
          return done(notAllowed(exchange, "GET"));
        }
        return done(new Answer(200, metrics.contentType(), metrics.scrape()));
      default:
        return done(error(404, "no such endpoint " + path + ": POST /v1/features, GET /health, GET /metrics"));
    }
  }

  private static CompletableFuture<Answer> done(Answer answer) {
    return CompletableFuture.completedFuture(answer);
  }

  /** Answers a feature request body. */
  private CompletableFuture<JsonNode> features(HttpExchange exchange, byte[] body) {
    JsonNode request;
    try {
      request = json.readTree(body);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException("the body is not JSON: " + RecordDecoder.jsonProblem(e));
    } catch (IOException e) {
      throw new InvalidRequestException("the body could not be read: " + e.getMessage());
    }
    if (request == null || !request.isObject()) {
      throw new InvalidRequestException(
          "the body must be a JSON object {\"features\": [...], \"keys\": [...]}, not "
              + (request == null || request.isMissingNode() ? "nothing" : TypedValues.describe(request)));
    }
    Iterator<String> names = request.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!REQUEST_FIELDS.contains(name)) {
        throw new InvalidRequestException(
            "unknown field '" + name + "' in the request; known: features, keys, as_of, request");
      }
    }
    FeatureSelection selection = FeatureSelection.parse(lookup.repository(), selectors(request.get("features")));
    JsonNode keyNodes = request.get("keys");
    if (keyNodes == null || !keyNodes.isArray() || keyNodes.isEmpty()) {
      throw new InvalidRequestException("keys must be a non-empty array of key objects such as [{\"user_id\": \"u1\"}]");
    }
    if (keyNodes.size() > limits.maxKeys()) {
      throw new InvalidRequestException(
          "too many keys: " + keyNodes.size() + ", this server answers at most " + limits.maxKeys() + " per request");
    }
    List<Map<String, Object>> keys = new ArrayList<>(keyNodes.size());
    for (int i = 0; i < keyNodes.size(); i++) {
      keys.add(Keys.fromJson(keyNodes.get(i), selection, "keys[" + i + "]"));
    }
    Map<String, Object> fields = RequestFields.fromJson(request.get("request"), selection);
    JsonNode asOf = request.get("as_of");
    Long t = null;
    if (asOf != null && !asOf.isNull()) {
      if (!asOf.isTextual()) {
        throw new InvalidRequestException("as_of must be an ISO-8601 string such as \"2026-01-09T12:00:00Z\", not " + TypedValues.describe(asOf));
      }
      t = AsOf.parse(asOf.textValue());
    }
    acquire(exchange);
    long start = System.nanoTime();
    // the rows are made, and the answer written, by an answer thread (see handle)
    return lookup.readAsync(selection, keys, t, fields, this::answer).thenApply(rows -> {
      metrics.lookedUp(keys.size(), System.nanoTime() - start);
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      ArrayNode array = out.putArray("rows");
      rows.forEach(array::add);
      return out;
    });
  }

  /**
   * Takes one of the {@code --threads} permits for this exchange (released when its answer is sent),
   * waiting up to {@link #PERMIT_WAIT_SECONDS}; a busy or stopping server answers 503.
   */
  private void acquire(HttpExchange exchange) {
    boolean got;
    try {
      got = inFlight.tryAcquire(PERMIT_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      got = false;
    }
    if (!got) {
      throw new Unavailable("the feature server is busy: " + limits.threads() + " feature requests are open"
          + " (--threads) and none finished within " + PERMIT_WAIT_SECONDS + " s; try again");
    }
    permitted.add(exchange); // not an exchange attribute: the JDK keeps those per context, shared by all exchanges
    if (closed.get()) {
      throw new Unavailable("the feature server is stopping");
    }
  }

  private static List<String> selectors(JsonNode features) {
    if (features == null || features.isNull()) {
      throw new InvalidRequestException("features is missing: give e.g. [\"user_spend:*\", \"merchant_risk:txn_count_1d\"]");
    }
    if (features.isTextual()) {
      return List.of(features.textValue());
    }
    if (!features.isArray()) {
      throw new InvalidRequestException("features must be an array of strings such as [\"user_spend:*\"], not " + TypedValues.describe(features));
    }
    List<String> out = new ArrayList<>();
    for (JsonNode f : features) {
      if (!f.isTextual()) {
        throw new InvalidRequestException("features must be strings such as \"user_spend:*\", not " + TypedValues.describe(f));
      }
      out.add(f.textValue());
    }
    return out;
  }

  /** Thrown when the server is busy or stopping (503). */
  private static final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(String message) {
      super(message);
    }
  }

  /** Thrown when the body is over the limit (413). */
  private static final class BodyTooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BodyTooLarge(String message) {
      super(message);
    }
  }

  /** The request body, refusing one over the limit before reading it when its length is declared. */
  private byte[] readBody(HttpExchange exchange) throws IOException {
    long max = limits.maxBodyBytes();
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      long length;
      try {
        length = Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        throw new InvalidRequestException("Content-Length '" + declared + "' is not a number");
      }
      if (length > max) {
        throw new BodyTooLarge("the body is " + length + " bytes, over this server's limit of " + max + " bytes");
      }
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes((int) max + 1);
      if (body.length > max) {
        throw new BodyTooLarge("the body is over this server's limit of " + max + " bytes");
      }
      return body;
    }
  }

  private Answer ok(JsonNode body) {
    try {
      return new Answer(200, JSON_TYPE, json.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not write the answer", e);
    }
  }

  private Answer notAllowed(HttpExchange exchange, String allowed) {
    exchange.getResponseHeaders().set("Allow", allowed);
    return error(405, exchange.getRequestMethod() + " is not allowed here: use " + allowed);
  }

  private Answer error(int status, String message) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("error", message == null ? "error" : message);
    o.put("status", status);
    try {
      return new Answer(status, JSON_TYPE, json.writeValueAsBytes(o));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void send(HttpExchange exchange, Answer answer) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", answer.contentType());
    exchange.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(answer.body());
    }
  }
}
