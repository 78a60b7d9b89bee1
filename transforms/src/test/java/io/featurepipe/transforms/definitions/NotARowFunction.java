package io.featurepipe.transforms.definitions;

/** Test fixture: a class that is not a RowFunction. */
public final class NotARowFunction {
  public String apply(String s) {
    return s;
  }
}
