package io.featurepipe.runners.template;

import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * Loads a feature repository from a location Beam {@link FileSystems} can read: {@code
 * gs://bucket/feature-defs/payments} when the GCS filesystem is on the classpath (it is in the
 * shaded jar), or a local folder. Every file under the location is read (definitions and the files
 * they name, such as Avro schemas) and handed to {@link RepositoryLoader#load(Map)}, so messages
 * name files relative to the location. Call {@link FileSystems#setDefaultPipelineOptions} first.
 */
public final class RepositoryLocation {
  private RepositoryLocation() {}

  /**
   * The repository under {@code location}.
   *
   * @throws DefinitionException listing every mistake in the definitions
   * @throws IOException when the location holds no file or cannot be read
   */
  public static FeatureRepository load(String location) throws IOException, DefinitionException {
    return RepositoryLoader.load(files(location));
  }

  /** The files under {@code location}: path relative to it → content (UTF-8). */
  static Map<String, String> files(String location) throws IOException {
    String abs = absolute(location);
    String root = abs.endsWith("/") ? abs : abs + "/";
    MatchResult match = FileSystems.match(root + "**", EmptyMatchTreatment.ALLOW);
    Map<String, String> files = new TreeMap<>();
    if (match.status() == MatchResult.Status.OK) {
      for (MatchResult.Metadata m : match.metadata()) {
        if (m.resourceId().isDirectory()) {
          continue;
        }
        String name = relativeName(root, m.resourceId().toString());
        try (InputStream in = Channels.newInputStream(FileSystems.open(m.resourceId()))) {
          files.put(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
    }
    if (files.keySet().stream().noneMatch(n -> n.endsWith(".yaml") || n.endsWith(".yml"))) {
      throw new IOException("no feature definitions (*.yaml, *.yml) under " + location);
    }
    return files;
  }

  private static String relativeName(String root, String file) {
    if (!file.startsWith(root)) {
      throw new IllegalStateException("matched " + file + " outside " + root);
    }
    return file.substring(root.length());
  }

  /** A URL as it is; a local path made absolute, as Beam's local filesystem names its matches. */
  private static String absolute(String location) {
    if (location.matches("^[a-zA-Z][-a-zA-Z0-9+.]*://.*")) {
      return location;
    }
    return java.nio.file.Path.of(location).toAbsolutePath().normalize().toString();
  }
}
