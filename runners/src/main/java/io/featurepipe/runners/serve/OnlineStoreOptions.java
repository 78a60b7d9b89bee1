package io.featurepipe.runners.serve;

import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.EmbeddedBigtable;
import io.featurepipe.sinks.online.OnlineReader;
import io.featurepipe.sinks.online.PrepareOnlineStore;
import io.featurepipe.transforms.definitions.Durations;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.IOException;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The online store options of {@code get}, {@code serve} and {@code audit} (a picocli mixin, DESIGN
 * §5): {@code --bigtable=project/instance/table}, {@code --bigtable-emulator=host:port} or {@code
 * =embedded}, {@code --online-retention} (how far back as-of reads reach, default 2d).
 *
 * <p>The same option names as the shared {@code BigtableOptions} of the writing commands, so the
 * two can be merged into one mixin.
 */
public final class OnlineStoreOptions {

  @Option(
      names = "--bigtable",
      required = true,
      paramLabel = "PROJECT/INSTANCE/TABLE",
      description = "The online store's Cloud Bigtable table.")
  String bigtable;

  @Option(
      names = "--bigtable-emulator",
      paramLabel = "HOST:PORT|embedded",
      description = "Use a Bigtable emulator at HOST:PORT, or start one in this process ('embedded', empty: for trying things out).")
  String emulator;

  @Option(
      names = "--online-retention",
      defaultValue = "2d",
      paramLabel = "DURATION",
      description = "How far back as-of reads reach, as the store was prepared with (default: ${DEFAULT-VALUE}).")
  String retention;

  /** An open online store: its target, a reader, and the embedded emulator when one was started. */
  public static final class Connection implements AutoCloseable {
    private final BigtableTarget target;
    private final Duration retention;
    private final EmbeddedBigtable embedded;
    private final OnlineReader reader;

    Connection(BigtableTarget target, Duration retention, EmbeddedBigtable embedded, OnlineReader reader) {
      this.target = target;
      this.retention = retention;
      this.embedded = embedded;
      this.reader = reader;
    }

    public BigtableTarget target() {
      return target;
    }

    public Duration retention() {
      return retention;
    }

    public OnlineReader reader() {
      return reader;
    }

    @Override
    public void close() {
      reader.close();
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  /** The as-of retention; fails naming the text when it is not a duration. */
  public Duration retention() {
    try {
      Duration d = Durations.parse(retention);
      if (d.isNegative()) {
        throw new IllegalArgumentException("--online-retention must not be negative, not " + retention);
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--online-retention: " + e.getMessage());
    }
  }

  /** The target named by the options, without the embedded emulator's address (known once started). */
  BigtableTarget target() {
    BigtableTarget t = BigtableTarget.parse(bigtable);
    return emulator == null || emulator.equals("embedded") ? t : t.withEmulator(emulator);
  }

  /** Connects: starts and prepares the embedded emulator if asked, and opens a reader. */
  public Connection open(FeatureRepository repository) throws IOException {
    Duration r = retention();
    BigtableTarget t = target();
    EmbeddedBigtable embedded = null;
    if ("embedded".equals(emulator)) {
      embedded = EmbeddedBigtable.start();
      t = t.withEmulator(embedded.hostPort());
      PrepareOnlineStore.of(t, repository).withRetention(r).prepare();
    }
    try {
      return new Connection(t, r, embedded, OnlineReader.open(t, repository, r));
    } catch (IOException | RuntimeException e) {
      if (embedded != null) {
        embedded.close();
      }
      throw e;
    }
  }
}
