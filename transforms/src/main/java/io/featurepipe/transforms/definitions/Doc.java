package io.featurepipe.transforms.definitions;

import io.featurepipe.transforms.model.Location;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The document being checked: its file, the kind and name of its definition, and the list its
 * errors go to. Counts its own errors, so a checker can tell whether a part came out clean.
 */
final class Doc {
  final String file;
  final String kind;
  final String name;
  private final List<DefinitionError> errors;
  private int errorCount;

  Doc(String file, String kind, String name, List<DefinitionError> errors) {
    this.file = file;
    this.kind = kind;
    this.name = name;
    this.errors = errors;
  }

  /** Location of a node's start, 1-based. */
  Location at(Node node) {
    return at(node.getStartMark());
  }

  Location at(Mark mark) {
    return new Location(file, mark.getLine() + 1, mark.getColumn() + 1);
  }

  void error(Node node, String field, String message) {
    error(at(node), field, message);
  }

  void error(Location location, String field, String message) {
    errors.add(new DefinitionError(location, kind, name, field, message));
    errorCount++;
  }

  /** How many errors this document has reported so far. */
  int errorCount() {
    return errorCount;
  }
}
