package io.featurepipe.runners.template;

import java.util.List;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * The options every featurepipe Flex Template shares: where the feature repository is, which
 * groups to run and the run's id. Dataflow passes template parameters as {@code --name=value}, so each getter's
 * property name is a template parameter name.
 */
public interface RepositoryTemplateOptions extends PipelineOptions {
  /** A Cloud Storage URL or a path: what Beam FileSystems reads and writes. */
  String LOCATION = "^(gs://[^/]+/.*|/.*|[A-Za-z0-9._-][^:]*)$";

  @Description(
      "Location of the feature repository: a folder of YAML feature definitions, read through Beam"
          + " FileSystems (gs://bucket/feature-defs/payments, or a local path inside the launcher image).")
  @Validation.Required
  @TemplateParameter(
      order = 1,
      label = "Feature repository",
      regexes = LOCATION,
      example = "gs://my-bucket/feature-defs/payments")
  String getFeatureRepository();

  void setFeatureRepository(String value);

  @Description("Only these feature groups, comma-separated (default: every group the pipeline runs).")
  @TemplateParameter(
      order = 2,
      label = "Feature groups",
      regexes = "^[A-Za-z0-9_]+(,[A-Za-z0-9_]+)*$",
      example = "user_spend,merchant_risk")
  List<String> getGroups();

  void setGroups(List<String> value);

  @Description("The run's id, which names its dead-letter files (default: UTC time and a random suffix).")
  @TemplateParameter(order = 90, label = "Run id", regexes = "^[A-Za-z0-9._-]+$", example = "run-20260114")
  String getRunId();

  void setRunId(String value);
}
