package io.featurepipe.pipelines.validate;

import java.io.IOException;
import java.io.Serializable;
import java.time.LocalDate;

/**
 * What a bounded run's statistics are compared with for drift ({@code max_distinct_drift},
 * {@code max_drift} expectations): nothing, an earlier run's validation output, or the previous
 * run found beside this one.
 *
 * <p>{@link #previousRun()} looks in a folder of run outputs (a backfill's {@code
 * <offline-root>/_validation/}) for the {@link GateRecord} of the latest run that covered as many
 * days as this one, ended before this one starts, and passed its gate; none is found on the first
 * run. The search reads one small {@code gate.json} per run folder, nothing else.
 *
 * <pre>{@code
 * Baseline.none();
 * Baseline.at("gs://bucket/offline/_validation/run-20260107T020000-1a2b");
 * Baseline.parse("previous");                 // the command line's --baseline value
 * }</pre>
 *
 * @param kind which of the three
 * @param root the baseline's validation output root ({@link Kind#AT} only)
 */
public record Baseline(Kind kind, String root) implements Serializable {

  /** The three kinds of baseline. */
  public enum Kind {
    NONE,
    PREVIOUS_RUN,
    AT
  }

  public Baseline {
    if (kind == null) {
      throw new IllegalArgumentException("baseline kind must not be null");
    }
    if ((kind == Kind.AT) != (root != null && !root.isEmpty())) {
      throw new IllegalArgumentException("a baseline names a folder exactly when it is AT, not " + kind + " '" + root + "'");
    }
  }

  public static Baseline none() {
    return new Baseline(Kind.NONE, null);
  }

  public static Baseline previousRun() {
    return new Baseline(Kind.PREVIOUS_RUN, null);
  }

  public static Baseline at(String root) {
    return new Baseline(Kind.AT, root);
  }

  /** {@code none}, {@code previous}, or a folder (or URL) of an earlier run's validation output. */
  public static Baseline parse(String s) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException("--baseline needs 'none', 'previous' or a folder");
    }
    return switch (s) {
      case "none" -> none();
      case "previous" -> previousRun();
      default -> at(s);
    };
  }

  /**
   * The validation output root to compare with, or null for none.
   *
   * @param runs the folder holding one output folder per run (searched for {@link #previousRun()})
   * @param from first day of this run
   * @param to last day of this run
   */
  public String resolve(String runs, LocalDate from, LocalDate to) throws IOException {
    return switch (kind) {
      case NONE -> null;
      case AT -> root;
      case PREVIOUS_RUN -> {
        GateRecord previous = GateRecord.previous(GateRecord.readAll(runs), from, to);
        yield previous == null ? null : previous.root();
      }
    };
  }

  @Override
  public String toString() {
    return switch (kind) {
      case NONE -> "none";
      case PREVIOUS_RUN -> "previous";
      case AT -> root;
    };
  }
}
