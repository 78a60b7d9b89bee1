package io.featurepipe.sinks.offline;

import io.featurepipe.transforms.model.FeatureGroupDef;
import java.io.Serializable;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Where offline data lives (DESIGN §4):
 * {@code <offline-root>/<group>/v<version>/date=YYYY-MM-DD/run-<id>-NNNNN.avro}, one partition per
 * UTC date of the window end, published by its {@code _PUBLISHED} file.
 */
public final class OfflineLayout implements Serializable {
  public static final String PUBLISHED = "_PUBLISHED";

  private final String root;

  public OfflineLayout(String root) {
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  public String root() {
    return root;
  }

  /** A partition folder relative to the root: {@code <group>/v<version>/date=YYYY-MM-DD}. */
  public static String partition(String group, String version, LocalDate date) {
    return group + "/v" + version + "/date=" + date;
  }

  public static String partition(FeatureGroupDef group, LocalDate date) {
    return partition(group.name(), group.version(), date);
  }

  /** The absolute folder of a partition. */
  public String folder(String partition) {
    return root + "/" + partition;
  }

  /**
   * The UTC date of a window end (ms), which names its partition. Computed from the day number:
   * a training set calls it per spine row and group, and {@code Instant.atZone} built a new
   * {@code ZoneRules} on every call, which showed in the training set's CPU profile on Flink.
   */
  public static LocalDate dateOf(long windowEndMillis) {
    return LocalDate.ofEpochDay(dayOf(windowEndMillis));
  }

  /** The UTC epoch day of a window end (ms): {@link #dateOf}'s day number. */
  public static long dayOf(long windowEndMillis) {
    return Math.floorDiv(windowEndMillis, MILLIS_PER_DAY);
  }

  private static final long MILLIS_PER_DAY = 86_400_000L;

  /** The first window end (ms) of a date's partition: its midnight. */
  public static long startOf(LocalDate date) {
    return date.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }
}
