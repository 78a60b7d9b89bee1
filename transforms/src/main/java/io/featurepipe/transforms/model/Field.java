package io.featurepipe.transforms.model;

import java.io.Serializable;

/** A named, typed column of a source, or a key column of an entity. */
public record Field(String name, ColumnType type, boolean required, Location location)
    implements Serializable {

  public static Field of(String name, ColumnType type) {
    return new Field(name, type, false, Location.NONE);
  }
}
