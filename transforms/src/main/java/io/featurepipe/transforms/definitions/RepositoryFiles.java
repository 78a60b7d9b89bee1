package io.featurepipe.transforms.definitions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The files of a feature repository, named by their path relative to the repository folder with
 * {@code /} separators: its YAML files in path order, and the other files they name (Avro schemas).
 */
abstract class RepositoryFiles {

  /** The YAML files ({@code *.yaml}, {@code *.yml}, searched recursively), in path order. */
  abstract List<String> yamlFiles() throws IOException;

  /** Reads a file of the repository as UTF-8 text. */
  abstract String read(String relativePath) throws IOException;

  /** What the files are called in messages about the repository as a whole. */
  abstract String description();

  static boolean isYaml(String name) {
    return name.endsWith(".yaml") || name.endsWith(".yml");
  }

  /**
   * Normalizes a path a definition names; null when it is absolute or leaves the repository folder.
   */
  static String normalize(String relativePath) {
    Path p;
    try {
      p = Path.of(relativePath);
    } catch (InvalidPathException e) {
      return null;
    }
    if (p.isAbsolute() || relativePath.startsWith("/") || relativePath.startsWith("\\")) {
      return null;
    }
    String n = p.normalize().toString().replace('\\', '/');
    return n.isEmpty() || n.equals("..") || n.startsWith("../") ? null : n;
  }

  /** A folder on a file system. */
  static RepositoryFiles of(Path folder) {
    return new RepositoryFiles() {
      @Override
      List<String> yamlFiles() throws IOException {
        if (!Files.isDirectory(folder)) {
          throw new NoSuchFileException(folder.toString(), null, "not a folder");
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.walk(folder)) {
          files
              .filter(Files::isRegularFile)
              .map(f -> folder.relativize(f).toString().replace('\\', '/'))
              .filter(RepositoryFiles::isYaml)
              .forEach(names::add);
        }
        names.sort(null);
        return names;
      }

      @Override
      String read(String relativePath) throws IOException {
        return Files.readString(folder.resolve(relativePath));
      }

      @Override
      String description() {
        return folder.toString();
      }
    };
  }

  /** Files held in memory, by relative path (tests, tools). */
  static RepositoryFiles of(Map<String, String> files) {
    Map<String, String> byPath = new TreeMap<>();
    files.forEach((name, text) -> byPath.put(name.replace('\\', '/'), text));
    return new RepositoryFiles() {
      @Override
      List<String> yamlFiles() {
        return byPath.keySet().stream().filter(RepositoryFiles::isYaml).toList();
      }

      @Override
      String read(String relativePath) throws IOException {
        String text = byPath.get(relativePath);
        if (text == null) {
          throw new NoSuchFileException(relativePath);
        }
        return text;
      }

      @Override
      String description() {
        return "<memory>";
      }
    };
  }
}
