package io.featurepipe.runners;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Copies a folder of resources bundled on the classpath (the sample data and the example feature
 * definitions, packed into the shaded jar) to a directory, so the quickstart runs from the jar alone.
 */
final class BundledResources {
  private BundledResources() {}

  /** Copies {@code featurepipe/<name>/**} to {@code target}, replacing files there; returns target. */
  static Path extract(String name, Path target) throws IOException {
    String prefix = "featurepipe/" + name;
    URL url = BundledResources.class.getClassLoader().getResource(prefix);
    if (url == null) {
      throw new IllegalStateException("the bundled resources " + prefix + " are missing from the classpath");
    }
    URI uri;
    try {
      uri = url.toURI();
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    if ("jar".equals(uri.getScheme())) {
      try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
        copyTree(fs.getPath(prefix), target);
      } catch (java.nio.file.FileSystemAlreadyExistsException e) {
        copyTree(FileSystems.getFileSystem(uri).getPath(prefix), target);
      }
    } else {
      copyTree(Path.of(uri), target);
    }
    return target;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(from)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    for (Path f : files) {
      Path dest = to.resolve(from.relativize(f).toString());
      Files.createDirectories(dest.getParent());
      try (InputStream in = Files.newInputStream(f)) {
        Files.copy(in, dest, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
