package io.featurepipe.runners.template;

import org.apache.beam.sdk.options.PipelineOptions;

/**
 * One featurepipe Flex Template: a name, what it does, its options interface (the source of its
 * parameters) and the main class the launcher image runs. There are two, one per pipeline, because
 * Dataflow fixes batch or streaming per template and the launcher runs one main class per image:
 *
 * <ul>
 *   <li>{@link #BACKFILL}: {@code featurepipe-backfill}, a batch job ({@link BackfillTemplate});
 *   <li>{@link #STREAM}: {@code featurepipe-stream}, a streaming job ({@link StreamTemplate}).
 * </ul>
 */
public enum FlexTemplate {
  BACKFILL(
      "featurepipe-backfill",
      "featurepipe backfill: computes the feature groups over a range of days from the sources'"
          + " files and publishes one offline partition per group and day (Avro), with dead letters.",
      BackfillTemplateOptions.class,
      BackfillTemplate.class,
      false),
  STREAM(
      "featurepipe-stream",
      "featurepipe stream: computes the online feature groups from Kafka or Pub/Sub into the Cloud"
          + " Bigtable online store, with record checks, windowed statistics, volume and freshness alerts and"
          + " dead letters.",
      StreamTemplateOptions.class,
      StreamTemplate.class,
      true);

  private final String templateName;
  private final String description;
  private final Class<? extends PipelineOptions> options;
  private final Class<?> mainClass;
  private final boolean streaming;

  FlexTemplate(
      String templateName,
      String description,
      Class<? extends PipelineOptions> options,
      Class<?> mainClass,
      boolean streaming) {
    this.templateName = templateName;
    this.description = description;
    this.options = options;
    this.mainClass = mainClass;
    this.streaming = streaming;
  }

  /** The template's name, e.g. {@code featurepipe-backfill}; also its image and folder name. */
  public String templateName() {
    return templateName;
  }

  public String description() {
    return description;
  }

  /** The options interface whose annotated getters are the template's parameters. */
  public Class<? extends PipelineOptions> options() {
    return options;
  }

  /** The class whose {@code main(String[])} the launcher runs ({@code FLEX_TEMPLATE_JAVA_MAIN_CLASS}). */
  public Class<?> mainClass() {
    return mainClass;
  }

  public boolean streaming() {
    return streaming;
  }

  /** The folder of this template's files under the {@code template} command's output. */
  public String folder() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
