package io.featurepipe.runners;

import io.featurepipe.runners.serve.FeatureLookup;
import io.featurepipe.runners.serve.FeatureServer;
import io.featurepipe.runners.serve.StoreHealth;
import io.featurepipe.sinks.online.OnlineReader;
import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.model.FeatureRepository;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code featurepipe serve}: the HTTP feature server over the online store (docs/serving.md). */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve features over HTTP, JSON in and out, until stopped (Ctrl-C, SIGTERM):",
      "  POST /v1/features  {\"features\": [\"user_spend:*\"], \"keys\": [{\"user_id\": \"u1\"}], \"as_of\": ..., \"request\": {...}}",
      "  GET  /health       the store's reachability, each group's watermark and freshness",
      "                     (?require=fresh: 503 while a group is stale, for readiness probes)",
      "  GET  /metrics      request counts, latency histograms and errors (Prometheus text format)"
    })
final class ServeCommand implements Callable<Integer> {
  private static final Pattern SIZE = Pattern.compile("([0-9]+)\\s*(b|kb|kib|mb|mib|gb|gib)?");

  @Parameters(index = "0", paramLabel = "REPO", description = "Folder of YAML feature definitions.")
  Path repository;

  @Option(names = "--port", defaultValue = "8080", description = "Port to listen on (default: ${DEFAULT-VALUE}; 0: any free port).")
  int port;

  @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--max-keys", defaultValue = "1000", description = "Most keys one request may ask for (default: ${DEFAULT-VALUE}).")
  int maxKeys;

  @Option(names = "--max-body", defaultValue = "1MiB", paramLabel = "SIZE", description = "Largest request body, e.g. 64KiB, 1MiB (default: ${DEFAULT-VALUE}).")
  String maxBody;

  @Option(names = "--threads", defaultValue = "16", description = "Feature requests open at once (from request read to answer sent), and the number of request threads and of answer threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Mixin BigtableOptions store;

  @Override
  public Integer call() throws Exception {
    FeatureRepository repo;
    try {
      repo = RepositoryOption.load(repository);
    } catch (DefinitionException e) {
      System.err.println(e.getMessage());
      return 1;
    }
    FeatureServer.Limits limits = new FeatureServer.Limits(maxKeys, bytes(maxBody), threads);
    CountDownLatch stopped = new CountDownLatch(1);
    try (BigtableOptions.Store c = store.open();
        OnlineReader reader = c.reader(repo);
        StoreHealth health = new StoreHealth(c.target(), repo);
        FeatureServer server = FeatureServer.start(new FeatureLookup(repo, reader), health, limits, host, port)) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        server.close();
        stopped.countDown();
      }, "feature-server-stop"));
      System.out.printf("serving %d feature groups and %d request features of %s from %s on %s%n",
          repo.allGroups().stream().filter(g -> g.online()).count(), repo.requestFeatures().size(), repository,
          c.target(), server.uri());
      System.out.flush();
      stopped.await();
    }
    return 0;
  }

  /** Bytes of a size: {@code 1048576}, {@code 1MiB}, {@code 64KiB}, {@code 2MB}. */
  static long bytes(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("--max-body '" + text + "' is not a size such as 1048576, 64KiB or 1MiB");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2);
    long factor = switch (unit) {
      case "kb" -> 1000L;
      case "kib" -> 1024L;
      case "mb" -> 1000_000L;
      case "mib" -> 1L << 20;
      case "gb" -> 1000_000_000L;
      case "gib" -> 1L << 30;
      default -> 1L;
    };
    return Math.multiplyExact(n, factor);
  }
}
