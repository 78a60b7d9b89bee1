package io.featurepipe.runners.template;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * The parameters of the {@code featurepipe-backfill} Flex Template (a batch job): the options of
 * {@code featurepipe backfill} under their template names. {@link BackfillTemplate} turns them into a
 * {@code Backfill.Spec}.
 */
public interface BackfillTemplateOptions extends RepositoryTemplateOptions {
  String DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

  @Description("First day to publish (YYYY-MM-DD, UTC).")
  @Validation.Required
  @TemplateParameter(order = 10, label = "From", regexes = DATE, example = "2026-01-10")
  String getFrom();

  void setFrom(String value);

  @Description("Last day to publish, inclusive (YYYY-MM-DD, UTC).")
  @Validation.Required
  @TemplateParameter(order = 11, label = "To", regexes = DATE, example = "2026-01-12")
  String getTo();

  void setTo(String value);

  @Description(
      "Root of the offline store: partitions go to <root>/<group>/v<version>/date=YYYY-MM-DD/.")
  @Validation.Required
  @TemplateParameter(
      order = 12,
      label = "Offline store root",
      regexes = LOCATION,
      example = "gs://my-bucket/featurepipe/offline")
  String getOfflineRoot();

  void setOfflineRoot(String value);

  @Description("Folder (or URL) the sources' bounded paths are relative to.")
  @Validation.Required
  @TemplateParameter(
      order = 13,
      label = "Data root",
      regexes = LOCATION,
      example = "gs://my-bucket/lake/events")
  String getDataRoot();

  void setDataRoot(String value);

  @Description("Where rejected records go (default: <offline root>/_dead_letters/run-<id>).")
  @TemplateParameter(
      order = 15,
      label = "Dead letters",
      regexes = LOCATION,
      example = "gs://my-bucket/featurepipe/dead-letters")
  String getDeadLetters();

  void setDeadLetters(String value);

  @Description(
      "Run even when a day of the range has no input file for a source (that day is published from"
          + " the other sources, or empty). Without it the launch fails, naming each missing source, day and path.")
  @Default.Boolean(false)
  @TemplateParameter(order = 16, label = "Allow missing input", regexes = "^(true|false)$", example = "false")
  Boolean getAllowMissingInput();

  void setAllowMissingInput(Boolean value);
}
