package io.featurepipe.benchmarks.online;

import static com.google.cloud.bigtable.data.v2.models.Filters.FILTERS;

import com.google.api.gax.batching.Batcher;
import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import com.google.cloud.bigtable.data.v2.models.Query;
import com.google.cloud.bigtable.data.v2.models.Row;
import com.google.cloud.bigtable.data.v2.models.RowMutationEntry;
import com.google.cloud.bigtable.data.v2.models.TableId;
import io.featurepipe.benchmarks.BenchmarkSuite;
import io.featurepipe.benchmarks.Machine;
import io.featurepipe.benchmarks.Percentiles;
import io.featurepipe.runners.serve.FeatureLookup;
import io.featurepipe.runners.serve.FeatureServer;
import io.featurepipe.runners.serve.StoreHealth;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.CellValues;
import io.featurepipe.sinks.online.EmbeddedBigtable;
import io.featurepipe.sinks.online.OnlineLayout;
import io.featurepipe.sinks.online.OnlineReader;
import io.featurepipe.sinks.online.PrepareOnlineStore;
import io.featurepipe.sinks.online.WriteOnline;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;

/**
 * The {@code online} suite: online reads of 1 and 100 keys × 50 features through the feature server
 * (HTTP, a client on loopback) and through the raw client ({@link OnlineReader}, the same read the
 * server makes) in the same run, interleaved so both see the same machine; and write throughput in
 * cells per second through {@link WriteOnline} (BigtableIO on the DirectRunner) against the raw
 * client's bulk mutations. Everything runs against the bundled Bigtable emulator in this process.
 *
 * <p>Data: {@code 10,000 × scale} keys of one group of 50 features (ints, doubles, strings and
 * lists), each written at two window ends.
 */
public final class OnlineBenchmark implements BenchmarkSuite {
  static final int FEATURES = 50;
  static final int WINDOW_ENDS = 2;
  static final long HOUR = 3_600_000L;
  /** The last window end written: 2026-01-09T10:00Z. */
  static final long LAST = 1_767_952_800_000L;

  @Override
  public String name() {
    return "online";
  }

  @Override
  public String description() {
    return "online reads (1 and 100 keys x 50 features) through the feature server vs the raw client; write throughput";
  }

  /** The benchmark's repository: one group of 50 features of every value type. */
  static FeatureRepository repository() throws Exception {
    StringBuilder features = new StringBuilder();
    for (int i = 0; i < FEATURES; i++) {
      String window = ((i % 3) + 1) + "h";
      String name = String.format("f%02d", i);
      features.append(switch (i % 5) {
        case 0 -> "  - {name: " + name + ", agg: count, window: " + window + "}\n";
        case 1 -> "  - {name: " + name + ", agg: sum, column: amount, window: " + window + "}\n";
        case 2 -> "  - {name: " + name + ", agg: mean, column: amount, window: " + window + "}\n";
        case 3 -> "  - {name: " + name + ", agg: last, column: item, window: " + window + "}\n";
        default -> "  - {name: " + name + ", agg: last_k(3), column: amount, window: " + window + "}\n";
      });
    }
    String yaml = """
        kind: source
        name: events
        format: jsonl
        timestamp: ts
        timestamp_format: iso8601
        fields:
          - {name: ts, type: timestamp, required: true}
          - {name: user_id, type: string, required: true}
          - {name: amount, type: double}
          - {name: item, type: string}
        bounded: {path: "events/*.jsonl"}
        ---
        kind: entity
        name: user
        keys: [{name: user_id, type: string}]
        ---
        kind: feature_group
        name: bench
        entity: user
        source: events
        keys: {user_id: user_id}
        hop: 1h
        features:
        """ + features;
    return RepositoryLoader.load(Map.of("bench.yaml", yaml));
  }

  static String key(int i) {
    return String.format("user-%07d", i);
  }

  /** Every feature's value of key {@code i} at a window end, as a stream would have written it. */
  static FeatureRow row(FeatureGroupDef g, int i, long windowEnd, Random random) {
    Object[] values = new Object[FEATURES];
    for (int f = 0; f < FEATURES; f++) {
      values[f] = switch (f % 5) {
        case 0 -> (long) random.nextInt(1000);
        case 1, 2 -> random.nextDouble() * 1000;
        case 3 -> "item-" + random.nextInt(100_000);
        default -> List.of(random.nextDouble(), random.nextDouble(), random.nextDouble());
      };
    }
    BitSet all = new BitSet();
    all.set(0, FEATURES);
    return new FeatureRow(g.name(), g.version(), List.of(key(i)), windowEnd, values, false, all, false, 0);
  }

  @Override
  public String run(Context context) throws Exception {
    FeatureRepository repo = repository();
    FeatureGroupDef g = repo.group("bench");
    int keys = (int) context.scaled(10_000);
    List<FeatureRow> rows = new ArrayList<>();
    Random random = new Random(20260109);
    for (int i = 0; i < keys; i++) {
      for (int w = WINDOW_ENDS - 1; w >= 0; w--) {
        rows.add(row(g, i, LAST - w * HOUR, random));
      }
    }
    long cells = (long) rows.size() * FEATURES;
    try (EmbeddedBigtable bigtable = EmbeddedBigtable.start()) {
      BigtableTarget target = BigtableTarget.parse("bench/bench/features").withEmulator(bigtable.hostPort());
      BigtableTarget rawTable = target.withTable("raw");
      PrepareOnlineStore.of(target, repo).prepare();
      PrepareOnlineStore.of(rawTable, repo).prepare();
      System.err.printf("online: writing %,d keys x %d features x %d window ends = %,d cells%n", keys, FEATURES, WINDOW_ENDS, cells);
      double writeSeconds = writeThroughWriteOnline(target, repo, rows);
      double rawWriteSeconds = writeThroughClient(rawTable, repo, g, rows);

      int singleIterations = (int) Math.max(50, context.scaled(2000));
      int batchIterations = (int) Math.max(20, context.scaled(300));
      Reads reads;
      try (OnlineReader reader = OnlineReader.open(target, repo);
          BigtableDataClient bare = BigtableDataClient.create(target.dataSettings());
          StoreHealth health = new StoreHealth(target, repo);
          FeatureServer server = FeatureServer.start(
              new FeatureLookup(repo, reader), health, FeatureServer.Limits.defaults(), "127.0.0.1", 0)) {
        reads = new Reads(reader, bare, target, repo, server.uri().resolve("/v1/features"), keys);
        System.err.println("online: reads, 1 key");
        reads.measure(1, singleIterations, true); // as many untimed as timed: a server runs warm
        ServerTimes before = ServerTimes.scrape(server.uri());
        Latencies[] one = reads.measure(1, singleIterations, false);
        ServerTimes inside = ServerTimes.scrape(server.uri()).minus(before);
        System.err.println("online: reads, 100 keys");
        reads.measure(Math.min(100, keys), batchIterations / 5, true);
        Latencies[] hundred = reads.measure(Math.min(100, keys), batchIterations, false);
        return section(context, keys, cells, writeSeconds, rawWriteSeconds, one, hundred, inside, singleIterations, batchIterations);
      }
    }
  }

  private static double writeThroughWriteOnline(BigtableTarget target, FeatureRepository repo, List<FeatureRow> rows) {
    DirectOptions options = PipelineOptionsFactory.as(DirectOptions.class);
    options.setRunner(DirectRunner.class);
    options.setEnforceImmutability(false);
    options.setEnforceEncodability(false);
    Pipeline p = Pipeline.create(options);
    p.apply("Rows", Create.of(rows).withCoder(FeatureRow.Coder.of()))
        .apply("WriteOnline", WriteOnline.batch(target, repo).withRangeEnd(Instant.ofEpochMilli(LAST + HOUR)));
    long start = System.nanoTime();
    p.run().waitUntilFinish();
    return (System.nanoTime() - start) / 1e9;
  }

  /** The baseline: the same cells through the official client's bulk mutation batcher. */
  private static double writeThroughClient(BigtableTarget target, FeatureRepository repo, FeatureGroupDef g, List<FeatureRow> rows)
      throws Exception {
    String family = OnlineLayout.family(g);
    List<FeatureDef> features = g.features();
    try (BigtableDataClient client = BigtableDataClient.create(target.dataSettings())) {
      long start = System.nanoTime();
      try (Batcher<RowMutationEntry, Void> batcher = client.newBulkMutationBatcher(TableId.of(target.table()))) {
        for (FeatureRow r : rows) {
          RowMutationEntry entry = RowMutationEntry.create(OnlineLayout.rowKey(repo.entity(g.entity()), r.key()));
          for (int f = 0; f < features.size(); f++) {
            entry.setCell(family, OnlineLayout.qualifier(features.get(f).name()), OnlineLayout.cellTimestamp(r.windowEndMillis()),
                CellValues.encode(r.values()[f], features.get(f).outputType()));
          }
          batcher.add(entry);
        }
      }
      return (System.nanoTime() - start) / 1e9;
    }
  }

  /** Latencies of one way of reading, in nanoseconds. */
  static final class Latencies {
    final long[] nanos;
    int n;

    Latencies(int capacity) {
      nanos = new long[capacity];
    }

    void add(long v) {
      nanos[n++] = v;
    }

    double meanMillis() {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += nanos[i];
      }
      return sum / n / 1e6;
    }

    double percentileMillis(double p) {
      long[] sorted = Arrays.copyOf(nanos, n);
      Arrays.sort(sorted);
      return Percentiles.of(sorted, p) / 1e6;
    }
  }

  /** Reads through the raw reader and through the server (two HTTP clients), in turn, with random keys. */
  static final class Reads {
    /** The ways of reading, in the order of {@link #measure}'s result. */
    static final int RAW = 0;
    static final int SERVER_HTTP_CLIENT = 1;
    static final int SERVER_URL_CONNECTION = 2;
    static final int HTTP_FLOOR = 3;
    static final int BARE = 4;
    private static final int WAYS = 5;

    private final OnlineReader reader;
    private final BigtableDataClient bare;
    private final BigtableTarget target;
    private final FeatureRepository repo;
    private final URI features;
    private final int keyCount;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    private final Random random = new Random(7);
    private final long t = (LAST + 10 * 60_000L) * 1_000_000L; // e(t) = LAST: fresh

    Reads(OnlineReader reader, BigtableDataClient bare, BigtableTarget target, FeatureRepository repo, URI features, int keyCount) {
      this.reader = reader;
      this.bare = bare;
      this.target = target;
      this.repo = repo;
      this.features = features;
      this.keyCount = keyCount;
    }

    /**
     * {raw, server by {@code HttpClient}, server by {@code HttpURLConnection}, HTTP floor, bare client} latencies
     * of {@code iterations} reads of {@code batch} random keys each; each iteration starts with
     * another way. The HTTP floor is a request the same server answers without reading the store
     * (a 404), on the same blocking client: what HTTP on loopback costs in this process.
     */
    Latencies[] measure(int batch, int iterations, boolean warmUp) throws Exception {
      Latencies[] ways = new Latencies[WAYS];
      for (int w = 0; w < WAYS; w++) {
        ways[w] = new Latencies(iterations);
      }
      for (int it = 0; it < iterations; it++) {
        List<Map<String, Object>> keys = new ArrayList<>(batch);
        StringBuilder body = new StringBuilder("{\"features\": [\"bench:*\"], \"as_of\": \"2026-01-09T10:10:00Z\", \"keys\": [");
        for (int k = 0; k < batch; k++) {
          String key = key(random.nextInt(keyCount));
          keys.add(Map.of("user_id", key));
          body.append(k == 0 ? "" : ", ").append("{\"user_id\": \"").append(key).append("\"}");
        }
        byte[] request = body.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        for (int turn = 0; turn < WAYS; turn++) {
          int way = (it + turn) % WAYS;
          long start = System.nanoTime();
          switch (way) {
            case RAW -> {
              if (reader.readAsOf(keys, List.of("bench"), t).size() != batch) {
                throw new IllegalStateException("the reader answered another number of keys");
              }
            }
            case SERVER_HTTP_CLIENT -> {
              HttpResponse<byte[]> r = http.send(
                  HttpRequest.newBuilder(features).POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(),
                  HttpResponse.BodyHandlers.ofByteArray());
              expectOk(r.statusCode(), r.body());
            }
            case SERVER_URL_CONNECTION -> postBlocking(request);
            case BARE -> readBare(keys);
            default -> getNotFound();
          }
          ways[way].add(System.nanoTime() - start);
        }
      }
      return warmUp ? null : ways;
    }

    /**
     * What a user of the bare official client would write: one multi-row read of the keys, each
     * column's newest cell at or before the window end read (no metadata read, no typing).
     */
    private void readBare(List<Map<String, Object>> keys) {
      FeatureGroupDef g = repo.group("bench");
      Query query = Query.create(TableId.of(target.table()));
      for (Map<String, Object> key : keys) {
        query.rowKey(OnlineLayout.rowKey(repo.entity(g.entity()), List.of(key.get("user_id"))));
      }
      query.filter(FILTERS.chain()
          .filter(FILTERS.family().exactMatch(OnlineLayout.family(g)))
          .filter(FILTERS.timestamp().range().endClosed(OnlineLayout.cellTimestamp(LAST)))
          .filter(FILTERS.limit().cellsPerColumn(1)));
      int n = 0;
      for (Row row : bare.readRows(query)) {
        n += row.getCells().isEmpty() ? 0 : 1;
      }
      long distinct = keys.stream().distinct().count(); // random keys may repeat within a batch
      if (n != distinct) {
        throw new IllegalStateException("the bare read found " + n + " of " + distinct + " keys");
      }
    }

    /** A POST on a blocking keep-alive connection ({@code HttpURLConnection} reuses it when the body is read to its end). */
    private void postBlocking(byte[] request) throws IOException {
      HttpURLConnection c = (HttpURLConnection) features.toURL().openConnection();
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setRequestProperty("Content-Type", "application/json");
      // no streaming mode: the connection sends headers and body in one write (no Nagle wait between them)
      try (OutputStream out = c.getOutputStream()) {
        out.write(request);
      }
      int status = c.getResponseCode();
      expectOk(status, body(c, status));
    }

    /** The answer's body (read to its end, so the connection is reused); empty when it has none. */
    private static byte[] body(HttpURLConnection c, int status) throws IOException {
      try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
        return in == null ? new byte[0] : in.readAllBytes();
      }
    }

    private void getNotFound() throws IOException {
      HttpURLConnection c = (HttpURLConnection) features.resolve("/no-such-endpoint").toURL().openConnection();
      int status = c.getResponseCode();
      byte[] body = body(c, status);
      if (status != 404) {
        throw new IllegalStateException("the feature server answered " + status + " to an unknown path: " + new String(body, StandardCharsets.UTF_8));
      }
    }

    private static void expectOk(int status, byte[] body) {
      if (status != 200) {
        throw new IllegalStateException("the feature server answered " + status + ": " + new String(body, StandardCharsets.UTF_8));
      }
    }
  }

  /**
   * The feature server's own timings of feature requests, from its Prometheus metrics: the sums
   * and counts of {@code featurepipe_serve_request_duration_seconds} (handler start to answer
   * sent) and {@code featurepipe_serve_lookup_duration_seconds} (the store read).
   */
  record ServerTimes(double answerSeconds, long answers, double lookupSeconds, long lookups) {
    static ServerTimes scrape(URI server) throws IOException {
      double answerSeconds = 0;
      double lookupSeconds = 0;
      long answers = 0;
      long lookups = 0;
      String text;
      try (InputStream in = server.resolve("/metrics").toURL().openStream()) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      for (String line : text.split("\n")) {
        String[] nameValue = line.split(" ");
        if (line.startsWith("#") || nameValue.length != 2) {
          continue;
        }
        double v = Double.parseDouble(nameValue[1]);
        switch (nameValue[0]) {
          case "featurepipe_serve_request_duration_seconds_sum{endpoint=\"/v1/features\"}" -> answerSeconds = v;
          case "featurepipe_serve_request_duration_seconds_count{endpoint=\"/v1/features\"}" -> answers = (long) v;
          case "featurepipe_serve_lookup_duration_seconds_sum" -> lookupSeconds = v;
          case "featurepipe_serve_lookup_duration_seconds_count" -> lookups = (long) v;
          default -> { }
        }
      }
      return new ServerTimes(answerSeconds, answers, lookupSeconds, lookups);
    }

    ServerTimes minus(ServerTimes o) {
      return new ServerTimes(answerSeconds - o.answerSeconds, answers - o.answers, lookupSeconds - o.lookupSeconds, lookups - o.lookups);
    }

    double answerMillis() {
      return answerSeconds / answers * 1e3;
    }

    double lookupMillis() {
      return lookupSeconds / lookups * 1e3;
    }
  }

  private static String section(
      Context context, int keys, long cells, double writeSeconds, double rawWriteSeconds,
      Latencies[] one, Latencies[] hundred, ServerTimes inside, int singleIterations, int batchIterations) {
    Machine m = context.machine();
    StringBuilder b = new StringBuilder();
    b.append("## online: feature server vs raw client reads, and writes\n\n");
    b.append(String.format("Machine: %s, %d cores, %d GiB, %s, %s, commit %s, %s.%n%n",
        m.cpu(), m.cores(), m.memoryGiB(), m.java(), m.os(), m.commit(), m.at()));
    b.append(String.format(
        "Data (scale %s): %,d keys of one group of %d features (ints, doubles, strings, lists of 3 doubles), each written at %d"
            + " window ends: %,d cells, in the Bigtable emulator bundled with the client library, started in the benchmark's"
            + " process (loopback gRPC). Reads are as of a time whose window end is the last written (fresh), of random keys;"
            + " the ways of reading take turns, so all see the same machine.%n%n",
        context.scale(), keys, FEATURES, WINDOW_ENDS, cells));
    b.append("| read | keys × features | requests | p50 ms | p99 ms | server overhead p50 | server overhead p99 |\n");
    b.append("|---|---|---|---|---|---|---|\n");
    rows(b, "1 × " + FEATURES, singleIterations, one);
    rows(b, Math.min(100, keys) + " × " + FEATURES, batchIterations, hundred);
    b.append("\n| write | cells | seconds | cells/s |\n|---|---|---|---|\n");
    b.append(String.format("| `WriteOnline.batch` (BigtableIO, DirectRunner, pipeline start included) | %,d | %.2f | %,.0f |%n",
        cells, writeSeconds, cells / writeSeconds));
    b.append(String.format("| baseline: the official client's bulk mutation batcher | %,d | %.2f | %,.0f |%n%n",
        cells, rawWriteSeconds, cells / rawWriteSeconds));
    double clientMean = (one[Reads.SERVER_URL_CONNECTION].meanMillis() + one[Reads.SERVER_HTTP_CLIENT].meanMillis()) / 2;
    b.append(String.format(
        "Where the 1-key server time goes (means over the measured 1-key requests of both clients; the server's own"
            + " timings from its `/metrics`): the clients waited %.3f ms; the server spent %.3f ms answering (handler start"
            + " to answer sent), %.3f ms of it in the store read (`readAsOfAsync`, start to answer) and %.3f ms in JSON,"
            + " typing and sending; the rest, %.3f ms, is HTTP on loopback outside the handler. The raw read took %.3f ms"
            + " on the benchmark's thread; the HTTP floor %.3f ms.%n%n",
        clientMean, inside.answerMillis(), inside.lookupMillis(), inside.answerMillis() - inside.lookupMillis(),
        clientMean - inside.answerMillis(), one[Reads.RAW].meanMillis(), one[Reads.HTTP_FLOOR].meanMillis()));
    double bareP50 = one[Reads.BARE].percentileMillis(50);
    b.append(String.format(
        "Against the bare client's one `readRows` (1-key p50 %.3f ms), the reader costs %+.0f%% and the server (blocking client) %+.0f%%:"
            + " the reader adds the metadata read that DESIGN §3 needs for e* = min(e(t), M), in flight with the rows read.%n%n",
        bareP50, (one[Reads.RAW].percentileMillis(50) / bareP50 - 1) * 100,
        (one[Reads.SERVER_URL_CONNECTION].percentileMillis(50) / bareP50 - 1) * 100));
    b.append("The raw read is `OnlineReader.readAsOf` (the metadata rows and a multi-row read of the keys with a\n"
        + "filter per group, both in flight at once, bounded by the watermark last seen: one round trip);\n"
        + "the server makes the same read (`readAsOfAsync`, its answer made and sent by an answer thread)\n"
        + "and adds HTTP on loopback (JDK `HttpServer`;\n"
        + "clients: a keep-alive `HttpURLConnection` and the JDK `HttpClient`), parsing the JSON request,\n"
        + "typing the keys and writing one JSON object per key. The target is a server overhead within 20%\n"
        + "of the raw read. Writes through `WriteOnline` pay the pipeline's start and the watermark cell\n"
        + "after the cells; the baseline writes the cells only.\n");
    return b.toString();
  }

  private static void rows(StringBuilder b, String shape, int requests, Latencies[] l) {
    double rawP50 = l[Reads.RAW].percentileMillis(50);
    double rawP99 = l[Reads.RAW].percentileMillis(99);
    b.append(String.format("| raw client (`OnlineReader`) | %s | %,d | %.3f | %.3f | | |%n", shape, requests, rawP50, rawP99));
    served(b, "feature server, blocking client (`HttpURLConnection`)", shape, requests, l[Reads.SERVER_URL_CONNECTION], rawP50, rawP99);
    served(b, "feature server, JDK `HttpClient`", shape, requests, l[Reads.SERVER_HTTP_CLIENT], rawP50, rawP99);
    Latencies bare = l[Reads.BARE];
    b.append(String.format("| bare official client: one `readRows` of the keys, no metadata read (not a correct read by DESIGN §3) | %s | %,d | %.3f | %.3f | | |%n",
        shape, requests, bare.percentileMillis(50), bare.percentileMillis(99)));
    Latencies floor = l[Reads.HTTP_FLOOR];
    b.append(String.format("| HTTP floor: a 404 from the same server, blocking client, no store read | — | %,d | %.3f | %.3f | | |%n",
        requests, floor.percentileMillis(50), floor.percentileMillis(99)));
  }

  private static void served(StringBuilder b, String way, String shape, int requests, Latencies l, double rawP50, double rawP99) {
    double p50 = l.percentileMillis(50);
    double p99 = l.percentileMillis(99);
    b.append(String.format("| %s | %s | %,d | %.3f | %.3f | %+.0f%% | %+.0f%% |%n",
        way, shape, requests, p50, p99, (p50 / rawP50 - 1) * 100, (p99 / rawP99 - 1) * 100));
  }
}
