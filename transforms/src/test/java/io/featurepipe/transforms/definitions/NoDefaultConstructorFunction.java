package io.featurepipe.transforms.definitions;

import io.featurepipe.transforms.expr.RowFunction;
import java.util.Map;

/** Test fixture: a RowFunction without a public no-argument constructor. */
public final class NoDefaultConstructorFunction implements RowFunction {
  private final int offset;

  public NoDefaultConstructorFunction(int offset) {
    this.offset = offset;
  }

  @Override
  public Map<String, Object> apply(Map<String, Object> row) {
    return Map.of("shifted", (long) offset);
  }
}
