package io.featurepipe.transforms.model;

import java.io.Serializable;
import java.util.List;

/** What features describe ({@code kind: entity}): a name and its key columns, one or several. */
public record EntityDef(String name, String description, List<Field> keys, Location location)
    implements Serializable {}
