package io.featurepipe.runners.flink;

import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import com.google.cloud.bigtable.data.v2.models.Query;
import com.google.cloud.bigtable.data.v2.models.Row;
import com.google.cloud.bigtable.data.v2.models.RowCell;
import com.google.cloud.bigtable.data.v2.models.TableId;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.EmbeddedBigtable;
import io.featurepipe.sinks.online.PrepareOnlineStore;
import io.featurepipe.sinks.online.StoreMetadata;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * The small world of the Flink operation tests: the {@code clicks} repository (test resources
 * {@code flink/clicks}: one source read from a watched folder, one group {@code user_clicks} on a
 * ten-minute hop), its input as CSV files, and the emulator's tables.
 *
 * <p>The input is {@link #EVENTS} clicks, one every 50 s from {@link #T0} over four hours, of eight
 * users. The folder's watermark is the largest event time read minus a minute and does not follow
 * the clock, so what a stream has written depends only on the files it has read: after the first
 * half ({@code [T0, T0 + 2h)}) every window end up to {@link #HALF_DONE} is written, after both up to
 * {@link #ALL_DONE}.
 */
final class Clicks {
  static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
  static final int EVENTS = 288;
  static final String GROUP = "user_clicks";
  /** The last window end of the hop grid before the watermark of the first half (T0 + 2h − 50 s − 1 min). */
  static final long HALF_DONE = T0.plusSeconds(110 * 60).toEpochMilli();
  /** The last window end before the watermark of the whole input (T0 + 4h − 50 s − 1 min). */
  static final long ALL_DONE = T0.plusSeconds(230 * 60).toEpochMilli();

  private Clicks() {}

  /** The repository, copied from the test resources; {@code extraFeature} (a YAML list item) changes the group's definition. */
  static FeatureRepository repository(Path dir, String extraFeature) throws Exception {
    Files.createDirectories(dir);
    for (String f : new String[] {"entities.yaml", "sources.yaml", "user_clicks.yaml"}) {
      try (var in = Clicks.class.getResourceAsStream("/flink/clicks/" + f)) {
        Files.copy(in, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    if (extraFeature != null) {
      Path group = dir.resolve("user_clicks.yaml");
      Files.writeString(group, Files.readString(group).replace("online: true", "  - " + extraFeature + "\nonline: true"));
    }
    return RepositoryLoader.load(dir);
  }

  /** Drops the clicks {@code [from, to)} into the folder as one file, atomically (written hidden, then renamed). */
  static void drop(Path incoming, String name, int from, int to) throws IOException {
    Files.createDirectories(incoming);
    StringBuilder csv = new StringBuilder("event_time,user_id,amount\n");
    for (int i = from; i < to; i++) {
      long t = T0.toEpochMilli() + i * 50_000L;
      csv.append(t).append(",u").append(i * 7 % 8).append(',').append(i * 37 % 100).append(".5\n");
    }
    Path hidden = incoming.resolve("." + name);
    Files.writeString(hidden, csv);
    Files.move(hidden, incoming.resolve(name), StandardCopyOption.ATOMIC_MOVE);
  }

  /** A prepared table of the emulator. */
  static BigtableTarget table(EmbeddedBigtable bigtable, FeatureRepository repo, String name) throws IOException {
    BigtableTarget t = BigtableTarget.parse("test-project/test-instance/" + name).withEmulator(bigtable.hostPort());
    PrepareOnlineStore.of(t, repo).prepare();
    return t;
  }

  /** The group's watermark cell M (null: none yet). */
  static Long watermark(BigtableTarget target, FeatureRepository repo, String group) {
    try (BigtableDataClient client = BigtableDataClient.create(target.dataSettings())) {
      return StoreMetadata.read(client, target.table(), java.util.List.of(repo.group(group))).get(group).watermarkMillis();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Every cell of a table: "row | family:qualifier @ timestamp" → value in hex. Of {@code _meta},
   * which keeps one version per cell, only the newest (older ones linger until garbage collection).
   */
  static Map<String, String> dump(BigtableTarget target) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (BigtableDataClient client = BigtableDataClient.create(target.dataSettings())) {
      for (Row row : client.readRows(Query.create(TableId.of(target.table())))) {
        Set<String> metaSeen = new HashSet<>();
        for (RowCell c : row.getCells()) {
          if (c.getFamily().equals("_meta") && !metaSeen.add(c.getQualifier().toStringUtf8())) {
            continue; // cells come newest first within a column
          }
          out.put(row.getKey().toStringUtf8() + " | " + c.getFamily() + ":" + c.getQualifier().toStringUtf8() + " @ "
              + c.getTimestamp(), HexFormat.of().formatHex(c.getValue().toByteArray()));
        }
      }
    }
    return out;
  }

  /**
   * Fails unless two dumps are equal, naming only the cells that differ (missing, extra, other
   * value): a whole dump is too long to read in a CI log.
   */
  static void assertSameCells(Map<String, String> expected, Map<String, String> actual) {
    StringBuilder diff = new StringBuilder();
    int n = 0;
    for (Map.Entry<String, String> e : expected.entrySet()) {
      String got = actual.get(e.getKey());
      if (!e.getValue().equals(got) && n++ < 40) {
        diff.append("\n  ").append(e.getKey()).append(": expected ").append(e.getValue()).append(", got ").append(got);
      }
    }
    for (Map.Entry<String, String> a : actual.entrySet()) {
      if (!expected.containsKey(a.getKey()) && n++ < 40) {
        diff.append("\n  ").append(a.getKey()).append(": not expected, got ").append(a.getValue());
      }
    }
    if (n > 0) {
      throw new AssertionError(n + " of " + expected.size() + " expected cells differ (" + actual.size() + " cells read):" + diff);
    }
  }

  /** The cells of {@code other} that differ from {@code expected} (at most 40), titled, for a failure message. */
  static String describe(Map<String, String> expected, Map<String, String> other, String title) {
    StringBuilder out = new StringBuilder("\ncells differing " + title + ":");
    int n = 0;
    for (Map.Entry<String, String> e : other.entrySet()) {
      String want = expected.get(e.getKey());
      if (!e.getValue().equals(want) && n++ < 40) {
        out.append("\n  ").append(e.getKey()).append(": ").append(e.getValue()).append(", expected ").append(want);
      }
    }
    return n == 0 ? out.append(" none").toString() : out.toString();
  }

  /** Every dead letter written under {@code root} (file name and line), for a failure message. */
  static String deadLetters(Path root) {
    StringBuilder out = new StringBuilder("\ndead letters under " + root + ":");
    if (!Files.isDirectory(root)) {
      return out.append(" none (no folder)").toString();
    }
    try (java.util.stream.Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        for (String line : Files.readAllLines(f)) {
          out.append("\n  ").append(root.relativize(f)).append(": ").append(line);
        }
      }
    } catch (IOException e) {
      out.append(" unreadable: ").append(e);
    }
    return out.toString();
  }

  /** Polls {@code condition} every 200 ms for at most 3 minutes. */
  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 180_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 3 minutes: " + what);
      }
      Thread.sleep(200);
    }
  }
}
