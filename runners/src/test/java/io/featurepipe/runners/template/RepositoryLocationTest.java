package io.featurepipe.runners.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A repository read through Beam FileSystems is the one read from the folder, mistakes included. */
class RepositoryLocationTest {
  private static final Path CATALOG = Path.of("..", "feature-defs", "payments");

  @Test
  void readsTheSameRepositoryAsTheFolderLoader() throws Exception {
    FeatureRepository viaFileSystems = RepositoryLocation.load(CATALOG.toString());
    FeatureRepository viaFolder = RepositoryLoader.load(CATALOG);
    assertEquals(viaFolder.groups().keySet(), viaFileSystems.groups().keySet());
    for (String g : viaFolder.groups().keySet()) {
      assertEquals(viaFolder.group(g).versionTag(), viaFileSystems.group(g).versionTag(), g);
    }
  }

  @Test
  void namesTheFileOfAMistakeRelativeToTheLocation(@TempDir Path dir) throws Exception {
    Path sub = Files.createDirectories(dir.resolve("sources"));
    Files.writeString(sub.resolve("bad.yaml"), "kind: sauce\nname: s\n");
    DefinitionException e = assertThrows(DefinitionException.class, () -> RepositoryLocation.load(dir.toString()));
    assertTrue(e.getMessage().contains("sources/bad.yaml"), e.getMessage());
    assertTrue(!e.getMessage().contains(dir.toString()), "relative to the location: " + e.getMessage());
  }

  @Test
  void aLocationWithoutDefinitionsFails(@TempDir Path dir) {
    IOException e = assertThrows(IOException.class, () -> RepositoryLocation.load(dir.resolve("missing").toString()));
    assertTrue(e.getMessage().contains("no feature definitions"), e.getMessage());
  }
}
