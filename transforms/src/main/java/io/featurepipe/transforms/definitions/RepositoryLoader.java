package io.featurepipe.transforms.definitions;

import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.Location;
import io.featurepipe.transforms.model.RequestFeaturesDef;
import io.featurepipe.transforms.model.SourceDef;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Loads and checks a feature repository (docs/definitions.md): a folder of YAML files holding
 * {@code source}, {@code entity}, {@code feature_group} and {@code request_features} definitions
 * (the last are request-time features of the feature server, docs/serving.md).
 *
 * <p>Every mistake is collected, not just the first; if there is any, {@link DefinitionException}
 * lists them all, each with its file, line, column and field. A repository that loads is complete
 * and consistent: every name resolves, every expression type-checks, every window fits its hop, and
 * every group carries its {@linkplain GroupVersions version}.
 *
 * <pre>{@code
 * FeatureRepository repo = RepositoryLoader.load(Path.of("feature-defs/src/main/features"));
 * }</pre>
 *
 * <p>Custom logic classes are looked up on the thread's context class loader.
 */
public final class RepositoryLoader {

  static final List<String> KINDS = List.of("source", "entity", "feature_group", "request_features");

  private final RepositoryFiles files;
  private final List<DefinitionError> errors = new ArrayList<>();
  private final List<Pending> documents = new ArrayList<>();
  private final Map<String, SourceChecker.Result> sources = new LinkedHashMap<>();
  private final Map<String, EntityChecker.Result> entities = new LinkedHashMap<>();
  private final Map<String, FeatureGroupDef> groups = new LinkedHashMap<>();
  private final Set<String> brokenGroups = new HashSet<>();
  private final Map<String, RequestFeaturesDef> requestFeatures = new LinkedHashMap<>();

  /** A document whose kind is known, waiting to be checked. */
  private record Pending(Doc doc, Node node) {}

  private RepositoryLoader(RepositoryFiles files) {
    this.files = files;
  }

  /**
   * Loads the repository in a folder: its {@code *.yaml} and {@code *.yml} files, searched
   * recursively and read in path order. Files are named in messages by their path relative to the
   * folder.
   *
   * @throws DefinitionException listing every mistake found
   */
  public static FeatureRepository load(Path repositoryDir) throws DefinitionException {
    return new RepositoryLoader(RepositoryFiles.of(repositoryDir)).load();
  }

  /**
   * Loads a repository held in memory: file name (a relative path) → content. Names ending in
   * {@code .yaml} or {@code .yml} are definitions, read in name order; other entries are files the
   * definitions may name, such as Avro schemas.
   *
   * @throws DefinitionException listing every mistake found
   */
  public static FeatureRepository load(Map<String, String> fileNameToContent)
      throws DefinitionException {
    return new RepositoryLoader(RepositoryFiles.of(fileNameToContent)).load();
  }

  private FeatureRepository load() throws DefinitionException {
    readFiles();
    for (Pending p : documents) {
      switch (p.doc().kind) {
        case "source" -> checkSource(p);
        case "entity" -> checkEntity(p);
        default -> {}
      }
    }
    for (Pending p : documents) {
      if (p.doc().kind.equals("feature_group")) {
        checkGroup(p);
      }
    }
    for (Pending p : documents) {
      if (p.doc().kind.equals("request_features")) {
        checkRequestFeatures(p);
      }
    }
    if (!errors.isEmpty()) {
      List<DefinitionError> sorted = new ArrayList<>(errors);
      sorted.sort(
          Comparator.comparing((DefinitionError e) -> e.location().file())
              .thenComparingInt(e -> e.location().line())
              .thenComparingInt(e -> e.location().column()));
      throw new DefinitionException(sorted);
    }
    return assemble();
  }

  // ---- reading ---------------------------------------------------------------------------------

  private void readFiles() {
    List<String> names;
    try {
      names = files.yamlFiles();
    } catch (IOException e) {
      errors.add(folderError("cannot read the repository folder: " + e));
      return;
    }
    if (names.isEmpty()) {
      errors.add(folderError("no definitions: the folder holds no *.yaml or *.yml file"));
    }
    for (String name : names) {
      readFile(name);
    }
  }

  private DefinitionError folderError(String message) {
    return new DefinitionError(new Location(files.description(), 0, 0), null, null, null, message);
  }

  private void readFile(String file) {
    String text;
    try {
      text = files.read(file);
    } catch (IOException e) {
      errors.add(
          new DefinitionError(
              new Location(file, 0, 0), null, null, null, "cannot read the file: " + e));
      return;
    }
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(true); // reported by YamlMap, with both places
    try {
      for (Node node : new Yaml(options).composeAll(new StringReader(text))) {
        readDocument(file, node);
      }
    } catch (MarkedYAMLException e) {
      Location at = new Doc(file, null, null, errors).at(e.getProblemMark());
      errors.add(
          new DefinitionError(
              at,
              null,
              null,
              null,
              "YAML syntax error: "
                  + e.getProblem()
                  + (e.getContext() == null ? "" : " (" + e.getContext() + ")")));
    } catch (YAMLException e) {
      errors.add(
          new DefinitionError(
              new Location(file, 0, 0), null, null, null, "YAML error: " + e.getMessage()));
    }
  }

  /** Finds the document's kind and name (for messages), and queues it for its checker. */
  private void readDocument(String file, Node node) {
    if (node instanceof ScalarNode s && s.getTag().equals(Tag.NULL) && s.getValue().isEmpty()) {
      return; // an empty document, e.g. after a trailing ---
    }
    Doc anonymous = new Doc(file, null, null, errors);
    if (!(node instanceof MappingNode mapping)) {
      anonymous.error(
          node, null, "a definition must be a mapping with a kind, not " + YamlMap.describe(node));
      return;
    }
    Node kindNode = topLevel(mapping, "kind");
    Node nameNode = topLevel(mapping, "name");
    String name =
        nameNode instanceof ScalarNode s && !s.getTag().equals(Tag.NULL) ? s.getValue() : null;
    Doc named = new Doc(file, null, name, errors);
    if (kindNode == null) {
      named.error(
          node, "kind", "missing required key 'kind' (source, entity, feature_group or request_features)");
      return;
    }
    String kind = YamlMap.text(named, kindNode, "kind");
    if (kind == null) {
      return;
    }
    if (!KINDS.contains(kind)) {
      named.error(
          kindNode,
          "kind",
          "unknown kind '"
              + kind
              + "'; expected source, entity, feature_group or request_features"
              + Names.suggest(kind, KINDS));
      return;
    }
    documents.add(new Pending(new Doc(file, kind, name, errors), node));
  }

  private static Node topLevel(MappingNode mapping, String key) {
    for (NodeTuple t : mapping.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
        return t.getValueNode();
      }
    }
    return null;
  }

  // ---- checking --------------------------------------------------------------------------------

  private void checkSource(Pending p) {
    YamlMap map = YamlMap.of(p.doc(), p.node(), "", SourceChecker.KEYS);
    SourceChecker.Result r = SourceChecker.check(p.doc(), map, files);
    if (r.def() != null
        && isNew(p.doc(), r.def().name(), r.def().location(), sources, s -> s.def().location())) {
      sources.put(r.def().name(), r);
    }
  }

  private void checkEntity(Pending p) {
    YamlMap map = YamlMap.of(p.doc(), p.node(), "", EntityChecker.KEYS);
    EntityChecker.Result r = EntityChecker.check(p.doc(), map);
    if (r.def() != null
        && isNew(p.doc(), r.def().name(), r.def().location(), entities, e -> e.def().location())) {
      entities.put(r.def().name(), r);
    }
  }

  private void checkGroup(Pending p) {
    YamlMap map = YamlMap.of(p.doc(), p.node(), "", GroupChecker.KEYS);
    int before = p.doc().errorCount();
    FeatureGroupDef g = GroupChecker.check(p.doc(), map, sources, entities);
    if (g.name() != null
        && isNew(p.doc(), g.name(), g.location(), groups, FeatureGroupDef::location)) {
      groups.put(g.name(), g);
      if (p.doc().errorCount() != before) {
        brokenGroups.add(g.name());
      }
    }
  }

  private void checkRequestFeatures(Pending p) {
    YamlMap map = YamlMap.of(p.doc(), p.node(), "", RequestFeaturesChecker.KEYS);
    RequestFeaturesDef r = RequestFeaturesChecker.check(p.doc(), map, groups, brokenGroups, entities);
    if (r.name() != null
        && isNew(p.doc(), r.name(), r.location(), requestFeatures, RequestFeaturesDef::location)) {
      requestFeatures.put(r.name(), r);
    }
  }

  /** Whether a name is new to its kind; reports it at its name when already defined. */
  private static <T> boolean isNew(
      Doc doc,
      String name,
      Location at,
      Map<String, T> defined,
      java.util.function.Function<T, Location> where) {
    T first = defined.get(name);
    if (first == null) {
      return true;
    }
    doc.error(at, "name", "already defined at " + where.apply(first));
    return false;
  }

  // ---- assembling ------------------------------------------------------------------------------

  private FeatureRepository assemble() {
    Map<String, SourceDef> sourceDefs = new LinkedHashMap<>();
    sources.forEach((n, r) -> sourceDefs.put(n, r.def()));
    Map<String, EntityDef> entityDefs = new LinkedHashMap<>();
    entities.forEach((n, r) -> entityDefs.put(n, r.def()));
    Map<String, FeatureGroupDef> groupDefs = new LinkedHashMap<>();
    for (FeatureGroupDef g : groups.values()) {
      String version =
          GroupVersions.version(g, sourceDefs.get(g.source()), entityDefs.get(g.entity()));
      groupDefs.put(g.name(), withVersion(g, version));
    }
    Map<String, RequestFeaturesDef> requestDefs = new LinkedHashMap<>();
    for (RequestFeaturesDef r : requestFeatures.values()) {
      requestDefs.put(r.name(), RequestFeaturesVersions.withVersion(r, groupDefs));
    }
    return new FeatureRepository(
        Collections.unmodifiableMap(sourceDefs),
        Collections.unmodifiableMap(entityDefs),
        Collections.unmodifiableMap(groupDefs),
        Collections.unmodifiableMap(requestDefs));
  }

  private static FeatureGroupDef withVersion(FeatureGroupDef g, String version) {
    return new FeatureGroupDef(
        g.name(),
        g.description(),
        g.entity(),
        g.source(),
        g.keys(),
        g.filter(),
        g.derive(),
        g.derivedTypes(),
        g.custom(),
        g.hop(),
        g.ttl(),
        g.availabilityDelay(),
        g.features(),
        g.expect(),
        g.online(),
        g.offline(),
        version,
        g.location());
  }
}
