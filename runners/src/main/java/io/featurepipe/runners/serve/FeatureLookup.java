package io.featurepipe.runners.serve;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.featurepipe.sinks.online.Futures;
import io.featurepipe.sinks.online.OnlineReader;
import io.featurepipe.sinks.online.OnlineValues;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.RequestFeaturesDef;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One online read as {@code get} and the feature server answer it: the selected features of many
 * keys as of a time, with the request-time features computed from the values read, as one flat
 * JSON object per key (DESIGN §5, {@link FeatureSelection} for the names). All groups are read in
 * one {@link OnlineReader#readAsOfAsync} call (one round trip).
 *
 * <pre>{@code
 * FeatureLookup lookup = new FeatureLookup(repo, reader);
 * FeatureSelection s = FeatureSelection.parse(repo, List.of("user_spend:*"));
 * List<ObjectNode> rows = lookup.read(s, List.of(Map.of("user_id", "u0001")), null, Map.of());
 * }</pre>
 *
 * Thread-safe when the reader is (the official client is).
 */
public final class FeatureLookup {
  private final FeatureRepository repository;
  private final OnlineReader reader;
  private final Map<String, CompiledRequestFeatures> compiled = new LinkedHashMap<>();

  public FeatureLookup(FeatureRepository repository, OnlineReader reader) {
    this.repository = repository;
    this.reader = reader;
    for (RequestFeaturesDef r : repository.requestFeatures().values()) {
      compiled.put(r.name(), CompiledRequestFeatures.of(repository, r));
    }
  }

  public FeatureRepository repository() {
    return repository;
  }

  /**
   * Reads the selected features of {@code keys} (typed, see {@link Keys}) as of {@code asOfNanos}
   * (epoch nanoseconds; null for now, by the wall clock), computing request features with {@code
   * fields} (see {@link RequestFields}). Returns one object per key, in order.
   *
   * @throws InvalidRequestException when the store cannot answer this time (older than its retention)
   * @throws StoreException when the store fails or holds nothing yet for a group
   * @throws RequestFeatureException when a request feature's expression fails
   */
  public List<ObjectNode> read(
      FeatureSelection selection, List<Map<String, Object>> keys, Long asOfNanos, Map<String, Object> fields) {
    return Futures.join(readAsync(selection, keys, asOfNanos, fields));
  }

  /**
   * {@link #read} without blocking a thread: the future completes, on the thread the store's answer
   * arrives on, with the rows or with one of {@link #read}'s exceptions; one found before the
   * store is asked (a key without a needed column) is thrown at once.
   */
  public CompletableFuture<List<ObjectNode>> readAsync(
      FeatureSelection selection, List<Map<String, Object>> keys, Long asOfNanos, Map<String, Object> fields) {
    return readAsync(selection, keys, asOfNanos, fields, Runnable::run);
  }

  /**
   * {@link #readAsync} computing the rows (request features, typing) on {@code executor} rather than
   * on the store client's thread, and completing there.
   */
  public CompletableFuture<List<ObjectNode>> readAsync(
      FeatureSelection selection, List<Map<String, Object>> keys, Long asOfNanos, Map<String, Object> fields, Executor executor) {
    long t = asOfNanos != null ? asOfNanos : AsOf.nanos(Instant.now());
    CompletableFuture<List<Map<String, OnlineValues>>> read;
    try {
      read = reader.readAsOfAsync(keys, selection.groups(), t);
    } catch (RuntimeException e) { // a key without a needed column, or a client that cannot send
      throw storeFailure(e);
    }
    return read.handleAsync((values, failure) -> {
      if (failure != null) {
        throw storeFailure(Futures.cause(failure));
      }
      List<ObjectNode> out = new ArrayList<>(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        out.add(row(selection, keys.get(i), values.get(i), fields));
      }
      return out;
    }, executor);
  }

  /** What a failed store read means to a caller: a request the store cannot answer, or a store failure. */
  private static RuntimeException storeFailure(Throwable e) {
    if (e instanceof IllegalArgumentException) {
      return new InvalidRequestException(e.getMessage());
    }
    if (e instanceof IllegalStateException) {
      if (e.getMessage() != null && e.getMessage().contains("older than the online store keeps")) {
        return new InvalidRequestException(e.getMessage());
      }
      return new StoreException(e.getMessage(), e);
    }
    // the client's gRPC failures (ApiException and its causes): the caller gets a short message
    return new StoreException("the online store did not answer: " + shortReason(e), e);
  }

  private ObjectNode row(FeatureSelection selection, Map<String, Object> key, Map<String, OnlineValues> read, Map<String, Object> fields) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    for (FeatureSelection.KeyColumn k : selection.keyColumns()) {
      o.set(k.name(), TypedValues.toJson(key.get(k.name()), k.type()));
    }
    Map<String, Map<String, Object>> requestValues = new LinkedHashMap<>();
    for (RequestFeaturesDef r : selection.requestFeatures()) {
      requestValues.put(r.name(), compiled.get(r.name()).evaluate(key, fields, read));
    }
    for (FeatureSelection.Column c : selection.columns()) {
      Object v = c.kind() == FeatureSelection.Kind.GROUP
          ? read.get(c.owner()).values().get(c.feature())
          : requestValues.get(c.owner()).get(c.feature());
      o.set(c.outputName(), TypedValues.toJson(v, c.type()));
    }
    for (FeatureSelection.WindowColumns w : selection.windows()) {
      OnlineValues v = read.get(w.group());
      o.put(w.windowEnd(), DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(v.windowEndMillis())));
      o.put(w.fresh(), v.fresh());
    }
    return o;
  }

  /** The first line of the innermost message: enough for a caller, no stack trace. */
  static String shortReason(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int nl = m.indexOf('\n');
    m = nl < 0 ? m : m.substring(0, nl);
    return m.length() > 200 ? m.substring(0, 200) + "..." : m;
  }
}
