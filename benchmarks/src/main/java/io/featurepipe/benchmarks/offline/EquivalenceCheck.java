package io.featurepipe.benchmarks.offline;

import io.featurepipe.benchmarks.offline.BenchFeatures.Feature;
import io.featurepipe.benchmarks.offline.BenchFeatures.Group;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that two engines computed the same thing, so that their times compare: every feature row
 * of a few whole dates (first, middle and last of the range) and the training rows of a sample of
 * the spine, value by value. Counts, minima, maxima and last values must be equal; sums and means
 * agree to a relative 1e-12 (featurepipe rounds the exact sum of the doubles once, the baselines
 * the exact sum of the cents, which can differ in the last bit).
 */
final class EquivalenceCheck {
  static final double RELATIVE_TOLERANCE = 1e-12;
  static final int SPINE_SAMPLE = 500;
  private static final int EXAMPLES = 3;

  /** The outcome of comparing one engine with the reference. */
  record Result(long rows, long missing, long extra, long values, long mismatches, double maxRelative, List<String> examples) {
    boolean ok() {
      return missing == 0 && extra == 0 && mismatches == 0;
    }
  }

  private EquivalenceCheck() {}

  /** The dates whose rows are compared: the data's first day, a middle one and the last. */
  static Set<LocalDate> sampleDates(OfflineWorkload w) {
    Set<LocalDate> out = new HashSet<>();
    out.add(w.start());
    out.add(w.start().plusDays(w.days() / 2));
    out.add(w.to());
    return out;
  }

  /** Every row of every group on the sample dates. */
  static Result featureRows(OfflineWorkload w, EngineOutputs reference, EngineOutputs other) throws Exception {
    Tally t = new Tally();
    Set<LocalDate> dates = sampleDates(w);
    for (Group g : BenchFeatures.GROUPS) {
      t.compare(g.name() + " ", g.features(), reference.featureRows(g, dates), other.featureRows(g, dates));
    }
    return t.result();
  }

  /** The training rows of every {@code n}-th spine row. */
  static Result trainingRows(OfflineWorkload w, EngineOutputs reference, EngineOutputs other) throws Exception {
    Set<String> ids = spineSample(w);
    Tally t = new Tally();
    t.compare("", BenchFeatures.trainingColumns(), reference.trainingRows(ids), other.trainingRows(ids));
    return t.result();
  }

  static Set<String> spineSample(OfflineWorkload w) throws Exception {
    long every = Math.max(1, w.spineRows() / SPINE_SAMPLE);
    Set<String> ids = new HashSet<>();
    try (BufferedReader in = Files.newBufferedReader(w.spine())) {
      in.readLine();
      String line;
      long n = 0;
      while ((line = in.readLine()) != null) {
        if (n++ % every == 0) {
          String[] c = line.split(",", -1);
          ids.add(EngineOutputs.spineId(c[0], c[1], c[2]));
        }
      }
    }
    return ids;
  }

  /** Counts rows and values compared and the differences found. */
  private static final class Tally {
    long rows;
    long missing;
    long extra;
    long values;
    long mismatches;
    double maxRelative;
    final List<String> examples = new ArrayList<>();

    void compare(String prefix, List<Feature> features, Map<String, Object[]> reference, Map<String, Object[]> other) {
      for (Map.Entry<String, Object[]> e : reference.entrySet()) {
        Object[] o = other.get(e.getKey());
        if (o == null) {
          missing++;
          example(prefix + e.getKey() + ": missing");
          continue;
        }
        rows++;
        for (int i = 0; i < features.size(); i++) {
          values++;
          Object a = e.getValue()[i];
          Object b = o[i];
          if (!same(a, b)) {
            mismatches++;
            example(prefix + e.getKey() + " " + features.get(i).name() + ": " + a + " vs " + b);
          }
        }
      }
      for (String id : other.keySet()) {
        if (!reference.containsKey(id)) {
          extra++;
          example(prefix + id + ": extra");
        }
      }
    }

    private boolean same(Object a, Object b) {
      if (a == null || b == null) {
        return a == b;
      }
      if (a instanceof Double x && b instanceof Double y) {
        if (x.equals(y)) {
          return true;
        }
        double rel = Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y));
        maxRelative = Math.max(maxRelative, rel);
        return rel <= RELATIVE_TOLERANCE;
      }
      return a.equals(b);
    }

    private void example(String s) {
      if (examples.size() < EXAMPLES) {
        examples.add(s);
      }
    }

    Result result() {
      return new Result(rows, missing, extra, values, mismatches, maxRelative, List.copyOf(examples));
    }
  }
}
