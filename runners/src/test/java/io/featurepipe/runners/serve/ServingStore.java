package io.featurepipe.runners.serve;

import io.featurepipe.pipelines.backfill.Backfill;
import io.featurepipe.sinks.offline.OfflineLayout;
import io.featurepipe.sinks.offline.OfflineStore;
import io.featurepipe.sinks.offline.ReadOffline;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.EmbeddedBigtable;
import io.featurepipe.sinks.online.PrepareOnlineStore;
import io.featurepipe.sinks.online.ToOnlineCells;
import io.featurepipe.sinks.online.WriteOnline;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The store every serving test reads, built once per test JVM and shared by the test classes that
 * ask for it ({@code @ExtendWith(ServingStore.Resolver.class)} and a {@code ServingStore}
 * parameter): the example catalog plus the request features of {@code serving/payment_context.yaml};
 * a backfill of the sample for {@link #FROM}..{@link #TO} of {@link #GROUPS} into an offline store;
 * those partitions materialized ({@link ToOnlineCells}, {@link WriteOnline#batch}) into two tables
 * of one bundled Bigtable emulator: {@link #features} (never changed by a test) and {@link #audit}
 * (where audit tests plant wrong cells). Closed with the JUnit run.
 */
public final class ServingStore implements AutoCloseable {
  public static final LocalDate FROM = LocalDate.of(2026, 1, 8);
  public static final LocalDate TO = LocalDate.of(2026, 1, 9);
  public static final List<String> GROUPS = List.of("user_spend", "merchant_risk");

  public final Path dir;
  public final Path repositoryDir;
  public final FeatureRepository repository;
  public final String offlineRoot;
  public final EmbeddedBigtable bigtable;
  public final BigtableTarget features;
  public final BigtableTarget audit;

  private ServingStore() throws Exception {
    dir = Files.createTempDirectory("serving-store");
    repositoryDir = dir.resolve("defs");
    Files.createDirectories(repositoryDir);
    try (Stream<Path> files = Files.list(Path.of("..", "feature-defs", "payments"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        Files.copy(f, repositoryDir.resolve(f.getFileName()));
      }
    }
    try (InputStream in = ServingStore.class.getResourceAsStream("/serving/payment_context.yaml")) {
      Files.copy(in, repositoryDir.resolve("payment_context.yaml"));
    }
    repository = RepositoryLoader.load(repositoryDir);
    offlineRoot = dir.resolve("offline").toString();
    long t0 = System.nanoTime();
    Pipeline backfill = Pipeline.create(options());
    Backfill.build(backfill, new Backfill.Spec(
        repository, Path.of("..", "test-data", "sample").toString(), FROM, TO, GROUPS, offlineRoot, "serving", null)
        .withValidation(null)); // the store's content is what matters here; validation is tested elsewhere
    backfill.run().waitUntilFinish();
    long t1 = System.nanoTime();

    bigtable = EmbeddedBigtable.start();
    features = BigtableTarget.parse("test-project/test-instance/features").withEmulator(bigtable.hostPort());
    audit = features.withTable("audit");
    PrepareOnlineStore.of(features, repository).prepare();
    PrepareOnlineStore.of(audit, repository).prepare();
    Instant from = Instant.ofEpochMilli(OfflineLayout.startOf(FROM));
    Instant until = Instant.ofEpochMilli(OfflineLayout.startOf(TO.plusDays(1)));
    Pipeline materialize = Pipeline.create(options());
    PCollection<FeatureRow> cells =
        materialize
            .apply("ReadOffline", ReadOffline.of(repository, offlineRoot, GROUPS, FROM.minusDays(1), TO).allowingMissing())
            .apply("ToOnlineCells", ToOnlineCells.of(repository, from, until));
    cells.apply("WriteFeatures", WriteOnline.batch(features, repository).withGroups(GROUPS).withRangeEnd(until));
    cells.apply("WriteAudit", WriteOnline.batch(audit, repository).withGroups(GROUPS).withRangeEnd(until));
    materialize.run().waitUntilFinish();
    System.err.printf("serving store: backfill %.1f s, emulator and materialize %.1f s%n",
        (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
  }

  private static DirectOptions options() {
    DirectOptions options = PipelineOptionsFactory.as(DirectOptions.class);
    options.setRunner(DirectRunner.class);
    options.setEnforceImmutability(false);
    options.setEnforceEncodability(false);
    return options;
  }

  /** The published offline rows of a group on a day. */
  public List<FeatureRow> offlineRows(String group, LocalDate date) throws IOException {
    return new OfflineStore(repository, offlineRoot).rows(group, date);
  }

  /** The {@code --bigtable} and {@code --bigtable-emulator} arguments of a table. */
  public String[] storeArgs(BigtableTarget target) {
    return new String[] {
      "--bigtable=" + target.project() + "/" + target.instance() + "/" + target.table(),
      "--bigtable-emulator=" + target.emulator()
    };
  }

  @Override
  public void close() throws IOException {
    bigtable.close();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Gives test methods and {@code @BeforeAll} methods the shared store, built on first use. */
  public static final class Resolver implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ServingStore.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
      return p.getParameter().getType() == ServingStore.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
      return c.getRoot().getStore(NS).getOrComputeIfAbsent(ServingStore.class, k -> {
        try {
          return new ServingStore();
        } catch (Exception e) {
          throw new IllegalStateException("could not build the serving test store", e);
        }
      }, ServingStore.class);
    }
  }
}
