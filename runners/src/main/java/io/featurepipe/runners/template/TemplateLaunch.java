package io.featurepipe.runners.template;

import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.IOException;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** What both template mains do first: parse the parameters, then load the feature repository. */
final class TemplateLaunch {
  private TemplateLaunch() {}

  /**
   * Parses {@code --name=value} arguments (as Dataflow passes template parameters and its own
   * options) with validation into the template's options interface.
   */
  static <T extends PipelineOptions> T options(String[] args, Class<T> type) {
    PipelineOptionsFactory.register(type);
    return PipelineOptionsFactory.fromArgs(args).withValidation().as(type);
  }

  /** Sets the filesystems up from the options and loads the repository they name. */
  static FeatureRepository repository(RepositoryTemplateOptions options)
      throws IOException, DefinitionException {
    FileSystems.setDefaultPipelineOptions(options);
    return RepositoryLocation.load(options.getFeatureRepository());
  }

  /** A parameter's text as a value, failing with a message naming the parameter. */
  static IllegalArgumentException invalid(String parameter, String value, String expected) {
    return new IllegalArgumentException(
        "template parameter " + parameter + "='" + value + "' is not " + expected);
  }
}
