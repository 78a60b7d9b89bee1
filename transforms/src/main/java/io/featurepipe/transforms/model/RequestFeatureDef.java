package io.featurepipe.transforms.model;

import java.io.Serializable;

/**
 * One request-time derived feature of a {@link RequestFeaturesDef}: a CEL expression and the type
 * it yields (checked at load).
 *
 * @param expression the CEL expression, as written
 * @param type the column type of the value (CEL's result type)
 */
public record RequestFeatureDef(
    String name, String description, String expression, ColumnType type, Location location)
    implements Serializable {}
