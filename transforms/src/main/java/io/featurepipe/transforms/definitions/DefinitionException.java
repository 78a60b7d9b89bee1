package io.featurepipe.transforms.definitions;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A feature repository that does not load: every {@link DefinitionError} found in it, not just the
 * first. The message lists them, one per line, in file, line and column order.
 */
public class DefinitionException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<DefinitionError> errors;

  public DefinitionException(List<DefinitionError> errors) {
    super(errors.stream().map(DefinitionError::toString).collect(Collectors.joining("\n")));
    this.errors = List.copyOf(errors);
  }

  /** The errors, in file, line and column order. */
  public List<DefinitionError> errors() {
    return errors;
  }
}
