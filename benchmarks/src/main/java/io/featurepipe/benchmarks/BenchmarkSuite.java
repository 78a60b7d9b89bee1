package io.featurepipe.benchmarks;

/**
 * One benchmark suite: measures something and its baseline in the same run and returns a Markdown
 * section (a title, the data size, a table of figures, and where the time goes).
 */
public interface BenchmarkSuite {

  /** What a suite is given: a scale factor for its data size and the machine it runs on. */
  record Context(double scale, Machine machine) {
    /** {@code n} scaled, at least 1. */
    public long scaled(long n) {
      return Math.max(1, Math.round(n * scale));
    }
  }

  /** Short name, used on the command line and as the section's key. */
  String name();

  String description();

  /** Runs the suite; returns its Markdown section (starting with a {@code ## } title). */
  String run(Context context) throws Exception;
}
