package io.featurepipe.runners.template;

import io.featurepipe.pipelines.backfill.Backfill;
import io.featurepipe.sinks.offline.WriteOffline;
import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.IOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main class of the {@code featurepipe-backfill} Flex Template: parses the template parameters
 * ({@link BackfillTemplateOptions}, passed as {@code --name=value} with Dataflow's own options),
 * loads the feature repository from {@code featureRepository} (e.g. {@code gs://…}), builds the same
 * {@link Backfill} graph as {@code featurepipe backfill} and submits it without waiting (a Flex
 * Template launcher must return once the job is submitted).
 *
 * <pre>{@code
 * BackfillTemplateOptions o = BackfillTemplate.options(args);
 * Pipeline p = Pipeline.create(o);
 * BackfillTemplate.build(p, o);     // the graph, e.g. to translate it in a test
 * }</pre>
 */
public final class BackfillTemplate {
  private static final Logger LOG = LoggerFactory.getLogger(BackfillTemplate.class);

  private BackfillTemplate() {}

  public static void main(String[] args) throws Exception {
    run(options(args));
  }

  /** The parameters, validated. */
  public static BackfillTemplateOptions options(String[] args) {
    return TemplateLaunch.options(args, BackfillTemplateOptions.class);
  }

  /**
   * Builds the backfill and submits it; returns at once with the job's result. A day of the range
   * without an input file fails the launch (as {@code featurepipe backfill} does), unless {@code
   * allowMissingInput}.
   */
  public static PipelineResult run(BackfillTemplateOptions options) throws IOException, DefinitionException {
    Pipeline p = Pipeline.create(options);
    Backfill.Spec spec = build(p, options);
    checkInputs(Backfill.missingInputs(spec), Boolean.TRUE.equals(options.getAllowMissingInput()));
    LOG.info("backfill {}..{} of {}, run {}", spec.from(), spec.to(), spec.chosenGroups(), spec.runId());
    return p.run();
  }

  /** Logs each missing input when allowed; otherwise fails naming them all. */
  static void checkInputs(List<String> missing, boolean allowed) {
    if (missing.isEmpty()) {
      return;
    }
    if (allowed) {
      missing.forEach(LOG::warn);
      return;
    }
    throw new IllegalArgumentException(
        String.join("; ", missing) + ". Nothing was submitted: add the missing files, or set allowMissingInput=true"
            + " to publish those days from the other sources (or empty)");
  }

  /** Loads the repository and adds the backfill the options describe to {@code pipeline}. */
  public static Backfill.Spec build(Pipeline pipeline, BackfillTemplateOptions options)
      throws IOException, DefinitionException {
    Backfill.Spec spec = spec(TemplateLaunch.repository(options), options);
    Backfill.build(pipeline, spec);
    return spec;
  }

  /** The backfill the options describe over {@code repository}. */
  public static Backfill.Spec spec(FeatureRepository repository, BackfillTemplateOptions options) {
    List<String> groups = options.getGroups() == null ? List.of() : options.getGroups();
    return new Backfill.Spec(
        repository,
        options.getDataRoot(),
        date("from", options.getFrom()),
        date("to", options.getTo()),
        groups,
        options.getOfflineRoot(),
        options.getRunId() != null ? options.getRunId() : WriteOffline.newRunId(),
        options.getDeadLetters());
  }

  private static LocalDate date(String parameter, String text) {
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw TemplateLaunch.invalid(parameter, text, "a date (YYYY-MM-DD)");
    }
  }
}
