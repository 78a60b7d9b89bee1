package io.featurepipe.transforms.model;

import java.io.Serializable;
import java.time.Duration;

/**
 * One feature of a group: an aggregation over a column (none for {@code count}) within a window.
 *
 * @param column the source or derived column aggregated, or null for {@code count}
 * @param window the window length, or null when the feature names none (the group's ttl applies)
 * @param inputType the column's type, or null for {@code count}
 * @param outputType the type of the feature's value
 */
public record FeatureDef(
    String name,
    String description,
    Aggregation aggregation,
    String column,
    Duration window,
    ColumnType inputType,
    ValueType outputType,
    Location location)
    implements Serializable {}
