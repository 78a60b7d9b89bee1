package io.featurepipe.runners;

import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.EmbeddedBigtable;
import io.featurepipe.sinks.online.OnlineReader;
import io.featurepipe.sinks.online.PrepareOnlineStore;
import io.featurepipe.transforms.definitions.Durations;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The online store options of every command that touches it ({@code stream}, {@code materialize},
 * {@code backfill}, {@code get}, {@code serve}, {@code audit}), as one picocli mixin (DESIGN §5):
 *
 * <pre>{@code
 * @Mixin BigtableOptions bigtable;
 * ...
 * try (BigtableOptions.Store store = bigtable.open()) {   // starts the embedded emulator if asked
 *   store.prepare(repository);                             // writers: table and families, up front
 *   ... store.target() ...
 *   try (OnlineReader reader = store.reader(repository)) { ... }   // readers
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@code --bigtable=PROJECT/INSTANCE/TABLE}: the table, on Cloud Bigtable unless an emulator
 *       is named; required unless {@code --bigtable-emulator} is given;
 *   <li>{@code --bigtable-emulator=HOST:PORT} an emulator, or {@code embedded}: one started in this
 *       process for the run (its data is gone when the command ends); without {@code --bigtable}
 *       the table is {@value #LOCAL_TABLE};
 *   <li>{@code --online-retention=2d}: how far back as-of reads work (the families' GC rule is
 *       longest window + retention; readers refuse older reads).
 * </ul>
 */
public final class BigtableOptions {
  /** The table an emulator is used with when {@code --bigtable} names none. */
  public static final String LOCAL_TABLE = "featurepipe/local/features";

  static final String MISSING =
      "Missing required option: '--bigtable=PROJECT/INSTANCE/TABLE' (or --bigtable-emulator=HOST:PORT|embedded,"
          + " table " + LOCAL_TABLE + " unless --bigtable names one)";

  @Option(
      names = "--bigtable",
      paramLabel = "PROJECT/INSTANCE/TABLE",
      description = "The online store: a Cloud Bigtable table (on the emulator when one is named).")
  String bigtable;

  @Option(
      names = "--bigtable-emulator",
      paramLabel = "HOST:PORT|embedded",
      description = {
        "A Bigtable emulator instead of Cloud Bigtable; 'embedded' starts one in this process for",
        "the run, empty, gone when the command ends (table " + LOCAL_TABLE + " unless --bigtable names one)."
      })
  String emulator;

  @Option(
      names = "--online-retention",
      paramLabel = "DURATION",
      defaultValue = "2d",
      converter = DurationConverter.class,
      description = "How far back as-of reads of the online store work, as the store is prepared with (default: ${DEFAULT-VALUE}).")
  Duration retention;

  /** Whether the options ask for an emulator started in this process ({@code --bigtable-emulator=embedded}). */
  boolean embedded() {
    return "embedded".equals(emulator);
  }

  /** The store named by the options, with the embedded emulator started when asked for. */
  public Store open() throws IOException {
    if (bigtable == null && emulator == null) {
      throw new CommandLine.ParameterException(new CommandLine(this), MISSING);
    }
    BigtableTarget target = BigtableTarget.parse(bigtable != null ? bigtable : LOCAL_TABLE);
    if (emulator == null) {
      return new Store(target, null, retention);
    }
    if (!"embedded".equals(emulator)) {
      return new Store(target.withEmulator(emulator), null, retention);
    }
    EmbeddedBigtable started = EmbeddedBigtable.start();
    return new Store(target.withEmulator(started.hostPort()), started, retention);
  }

  /** An open online store: its target, and the emulator this command started (closed at the end). */
  public static final class Store implements AutoCloseable {
    private final BigtableTarget target;
    private final EmbeddedBigtable embedded;
    private final Duration retention;

    Store(BigtableTarget target, EmbeddedBigtable embedded, Duration retention) {
      this.target = target;
      this.embedded = embedded;
      this.retention = retention;
    }

    public BigtableTarget target() {
      return target;
    }

    public Duration retention() {
      return retention;
    }

    /** Whether this command started the emulator (so the store is empty at first). */
    public boolean embedded() {
      return embedded != null;
    }

    /** Creates the table and the families of the repository's online groups, or checks them. */
    public void prepare(FeatureRepository repository) throws IOException {
      PrepareOnlineStore.of(target, repository).withRetention(retention).prepare();
    }

    /**
     * A reader of the store with this retention (the caller closes it); an embedded store is
     * prepared first, so that its empty table can be read.
     */
    public OnlineReader reader(FeatureRepository repository) throws IOException {
      if (embedded != null) {
        prepare(repository);
      }
      return OnlineReader.open(target, repository, retention);
    }

    /** How the store is named in summaries. */
    public String describe() {
      return embedded == null ? target.toString() : target + " (embedded emulator, gone when the command ends)";
    }

    @Override
    public void close() {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  /**
   * Durations as in the definitions ({@code 500ms 90s 5m 1h 2d 1w}, see {@link Durations}) or
   * ISO-8601 ({@code PT5M}); never negative.
   */
  public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String text) {
      String t = text.trim();
      Duration d;
      try {
        d = t.startsWith("P") || t.startsWith("p") ? Duration.parse(t) : Durations.parse(t);
      } catch (IllegalArgumentException | DateTimeParseException e) {
        throw new CommandLine.TypeConversionException(
            "'" + text + "' is not a duration: write an integer and a unit (ms, s, m, h, d or w), e.g. 5m or 2d");
      }
      if (d.isNegative()) {
        throw new CommandLine.TypeConversionException("'" + text + "' is negative: a duration here is 0 or more");
      }
      return d;
    }
  }
}
