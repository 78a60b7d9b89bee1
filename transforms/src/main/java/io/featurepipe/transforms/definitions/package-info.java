/**
 * Loading and checking feature repositories (docs/definitions.md): {@link
 * io.featurepipe.transforms.definitions.RepositoryLoader} reads the YAML definitions into the
 * {@link io.featurepipe.transforms.model.FeatureRepository} model and reports every mistake as a
 * {@link io.featurepipe.transforms.definitions.DefinitionError}; {@link
 * io.featurepipe.transforms.definitions.GroupVersions} computes the version of a feature group.
 */
package io.featurepipe.transforms.definitions;
