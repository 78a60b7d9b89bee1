package io.featurepipe.runners;

import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.EmbeddedBigtable;
import io.featurepipe.sinks.online.PrepareOnlineStore;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options of every command that touches the online store ({@code stream}, {@code materialize},
 * {@code backfill}, {@code get}, {@code serve}, {@code audit}), as a picocli mixin:
 *
 * <pre>{@code
 * @Mixin BigtableOptions bigtable;
 * ...
 * try (BigtableOptions.Store store = bigtable.open()) {   // starts the embedded emulator if asked
 *   store.prepare(repository);                             // table and families, up front
 *   ... store.target() ...
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@code --bigtable=PROJECT/INSTANCE/TABLE}: Cloud Bigtable (DESIGN §5);
 *   <li>{@code --bigtable-emulator=HOST:PORT} an emulator, or {@code embedded}: one started in this
 *       process for the run (its data is gone when the command ends); without {@code --bigtable}
 *       the table is {@code featurepipe/local/features};
 *   <li>{@code --online-retention=2d}: how far back as-of reads must work (the families' GC rule is
 *       longest window + retention).
 * </ul>
 */
final class BigtableOptions {
  static final String LOCAL_TABLE = "featurepipe/local/features";

  @Option(
      names = "--bigtable",
      paramLabel = "PROJECT/INSTANCE/TABLE",
      description = "The online store: a Cloud Bigtable table.")
  String bigtable;

  @Option(
      names = "--bigtable-emulator",
      paramLabel = "HOST:PORT|embedded",
      description = {
        "A Bigtable emulator instead of Cloud Bigtable; 'embedded' starts one in this process for",
        "the run (table " + LOCAL_TABLE + " unless --bigtable names one)."
      })
  String emulator;

  @Option(
      names = "--online-retention",
      paramLabel = "DURATION",
      defaultValue = "2d",
      converter = DurationConverter.class,
      description = "How far back as-of reads of the online store work (default: ${DEFAULT-VALUE}).")
  Duration retention;

  /** The store named by the options, with the embedded emulator started when asked for. */
  Store open() throws IOException {
    if (bigtable == null && emulator == null) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "name the online store: --bigtable=PROJECT/INSTANCE/TABLE or --bigtable-emulator=HOST:PORT|embedded");
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
  static final class Store implements AutoCloseable {
    private final BigtableTarget target;
    private final EmbeddedBigtable embedded;
    private final Duration retention;

    Store(BigtableTarget target, EmbeddedBigtable embedded, Duration retention) {
      this.target = target;
      this.embedded = embedded;
      this.retention = retention;
    }

    BigtableTarget target() {
      return target;
    }

    Duration retention() {
      return retention;
    }

    /** Creates the table and the families of the repository's online groups, or checks them. */
    void prepare(io.featurepipe.transforms.model.FeatureRepository repository) throws IOException {
      PrepareOnlineStore.of(target, repository).withRetention(retention).prepare();
    }

    /** How the store is named in summaries. */
    String describe() {
      return embedded == null ? target.toString() : target + " (embedded emulator, gone when the command ends)";
    }

    @Override
    public void close() {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  /** Durations as in the definitions ({@code 90s 5m 1h 2d 1w}) or ISO-8601 ({@code PT5M}). */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern SHORT = Pattern.compile("([0-9]+)(ms|s|m|h|d|w)");

    @Override
    public Duration convert(String text) {
      Matcher m = SHORT.matcher(text.trim().toLowerCase(Locale.ROOT));
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          case "d" -> Duration.ofDays(n);
          default -> Duration.ofDays(7 * n);
        };
      }
      try {
        return Duration.parse(text);
      } catch (java.time.format.DateTimeParseException e) {
        throw new CommandLine.TypeConversionException(
            "'" + text + "' is not a duration: write an integer and a unit (ms, s, m, h, d or w), e.g. 5m or 2d");
      }
    }
  }
}
