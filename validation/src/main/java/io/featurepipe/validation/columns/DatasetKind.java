package io.featurepipe.validation.columns;

/**
 * The three kinds of dataset validation computes statistics for, and their folder names in the
 * validation output layout ({@code <out>/<name>/<folder>/stats.pb}).
 */
public enum DatasetKind {
  /** Every record of a source, with its fields. */
  SOURCE("source"),
  /** The records a feature group keeps (after its filter), with source fields and derived columns. */
  GROUP_INPUT("input"),
  /** The rows a feature group emits: entity keys and features (explicit empty rows excluded). */
  GROUP_FEATURES("features");

  private final String folder;

  DatasetKind(String folder) {
    this.folder = folder;
  }

  /** The folder of this kind's outputs under {@code <out>/<name>/}. */
  public String folder() {
    return folder;
  }
}
