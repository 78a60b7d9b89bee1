package io.featurepipe.runners;

import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the feature repository a command names, failing with every definition error listed. */
final class RepositoryOption {
  private RepositoryOption() {}

  static FeatureRepository load(Path dir) throws DefinitionException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("feature repository " + dir + " is not a directory");
    }
    return RepositoryLoader.load(dir);
  }
}
