package io.featurepipe.transforms.model;

import java.io.Serializable;
import java.util.Map;

/**
 * A Java class on the classpath that adds derived columns to each row of a group
 * ({@code custom: {class: ..., columns: {name: type}}}). The class implements
 * {@link io.featurepipe.transforms.expr.RowFunction}.
 */
public record CustomLogic(String className, Map<String, ColumnType> columns, Location location)
    implements Serializable {}
