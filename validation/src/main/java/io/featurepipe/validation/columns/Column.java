package io.featurepipe.validation.columns;

import io.featurepipe.transforms.model.ColumnType;
import java.io.Serializable;

/**
 * One column of a dataset that validation looks at: a source field, a derived column, an entity
 * key or a feature.
 *
 * @param name the column name, as in the definitions
 * @param type the (element) type; values follow {@link ColumnType}'s Java types
 * @param list true for list-valued features ({@code top_k}, {@code last_k}): values are lists
 * @param origin where the column comes from
 */
public record Column(String name, ColumnType type, boolean list, Origin origin)
    implements Serializable {

  /** Where a column's values come from. */
  public enum Origin {
    SOURCE,
    DERIVED,
    KEY,
    FEATURE
  }
}
