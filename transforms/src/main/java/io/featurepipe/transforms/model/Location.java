package io.featurepipe.transforms.model;

import java.io.Serializable;

/**
 * Where something was written in a feature repository: a file, a 1-based line and column. Used in
 * every message about a definition, so a user can go straight to the mistake.
 */
public record Location(String file, int line, int column) implements Serializable {

  /** A location for definitions built in code rather than read from a file. */
  public static final Location NONE = new Location("<code>", 0, 0);

  @Override
  public String toString() {
    return line > 0 ? file + ":" + line + ":" + column : file;
  }
}
