package io.featurepipe.benchmarks;

import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import java.nio.file.Files;
import java.nio.file.Path;

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

  /** The example catalog {@code feature-defs/payments}; suites run from the repository root. */
  static FeatureRepository exampleCatalog() throws Exception {
    Path defs = Path.of("feature-defs", "payments");
    if (!Files.isDirectory(defs)) {
      throw new IllegalStateException("run from the repository root: " + defs.toAbsolutePath() + " is missing");
    }
    return RepositoryLoader.load(defs);
  }
}
