package io.featurepipe.validation.expect;

import java.util.List;

/** The {@code expect} sections of feature groups are wrong: every mistake, one per line. */
public final class ExpectationException extends IllegalArgumentException {
  private final List<String> errors;

  public ExpectationException(List<String> errors) {
    super(String.join("\n", errors));
    this.errors = List.copyOf(errors);
  }

  public List<String> errors() {
    return errors;
  }
}
