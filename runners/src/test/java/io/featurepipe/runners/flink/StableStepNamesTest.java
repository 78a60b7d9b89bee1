package io.featurepipe.runners.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.stream.StreamFeatures;
import io.featurepipe.pipelines.stream.StreamInputs;
import io.featurepipe.pipelines.stream.StreamStart;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.junit.jupiter.api.Test;

/**
 * Flink derives each operator's UID, which keys its state in checkpoints and savepoints, from the
 * Beam step's full name: a name that changes when unrelated code changes (an anonymous class's
 * {@code $1}, a duplicate suffixed {@code 2} by order of application, a lambda's synthetic name)
 * would orphan that state on the next deploy. This builds the whole streaming graph (bootstrapped,
 * every online group of the sample, hourly and daily, freshness checks) and fails on any such name.
 */
class StableStepNamesTest {
  /** {@code $} (anonymous or lambda classes), lambdas. */
  private static final Pattern SYNTHETIC = Pattern.compile(".*(\\$|[Ll]ambda).*");
  /** What Beam names a step applied without a name: {@code ParDo(Anonymous)}, {@code Map}, ... */
  private static final Pattern AUTO_NAMED =
      Pattern.compile(".*\\(.*\\)|Map|FlatMap|Filter|MapElements|FlatMapElements|Values|Keys|WithKeys|Reshuffle|Flatten\\.(PCollections|Iterables)|Create\\.(Values|TimestampedValues)");
  /** A step name Beam made unique by appending a number ({@code Values2}). */
  private static final Pattern NUMBERED = Pattern.compile("(.*[^0-9])([2-9]|[1-9][0-9]+)");

  /** A step: its full name, and whether the pipeline itself applied it (not a composite). */
  record Step(String fullName, boolean topLevel) {}

  static List<Step> steps(Pipeline p) {
    List<Step> steps = new ArrayList<>();
    p.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
        if (!node.isRootNode()) {
          steps.add(new Step(node.getFullName(), node.getEnclosingNode().isRootNode()));
        }
        return CompositeBehavior.ENTER_TRANSFORM;
      }

      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        steps.add(new Step(node.getFullName(), node.getEnclosingNode().isRootNode()));
      }
    });
    return steps;
  }

  /**
   * The names that would not survive a change elsewhere in the code: synthetic class names anywhere,
   * numbered duplicates anywhere, and steps the pipeline applies without a name. (Unnamed steps
   * inside a library's composites, e.g. {@code Reshuffle/.../ParDo(Anonymous)}, are fixed by the
   * library's version and unique within their named parent.)
   */
  static List<String> unstable(List<Step> steps) {
    Set<String> all = new HashSet<>();
    steps.forEach(s -> all.add(s.fullName()));
    List<String> out = new ArrayList<>();
    for (Step step : steps) {
      String full = step.fullName();
      var numbered = NUMBERED.matcher(full);
      if (SYNTHETIC.matcher(full).matches()
          || (numbered.matches() && all.contains(numbered.group(1)))
          || (step.topLevel() && AUTO_NAMED.matcher(full).matches())) {
        out.add(full);
      }
    }
    return out;
  }

  @Test
  void everyStepOfTheStreamHasAStableName() throws Exception {
    FeatureRepository repo = RepositoryLoader.load(Path.of("../feature-defs/payments"));
    FlinkPipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    options.setRunner(FlinkRunner.class);
    options.setStreaming(true);
    Pipeline p = Pipeline.create(options);
    BigtableTarget target = BigtableTarget.parse("p/i/features").withEmulator("localhost:1");
    StreamFeatures.Spec spec =
        StreamFeatures.Spec.of(repo, target, StreamStart.bootstrapped(Instant.parse("2026-01-14T00:00:00Z")), "/tmp/dead")
            // every online group: hourly and daily hops in one graph
            .withBootstrapRoot("/data")
            .withInputs(StreamInputs.defaults().withKafkaBootstrap("localhost:9092"))
            .withAlertRoot("/tmp/alerts")
            .withValidationRoot("/tmp/validation");
    StreamFeatures.build(p, spec);

    List<Step> steps = steps(p);
    List<String> names = steps.stream().map(Step::fullName).toList();
    assertTrue(names.size() > 100, "steps: " + names.size());
    assertTrue(names.contains("ReadStream/payments") && names.contains("WriteOnline/user_spend"), names.toString());
    assertEquals(List.of(), unstable(steps), "steps whose names are not stable");
    assertEquals(names.size(), new HashSet<>(names).size(), "every full name is unique");
  }

  @Test
  void theCheckFindsUnstableNames() {
    assertEquals(
        List.of("ParDo(Anonymous)", "MapElements", "A/Map2", "B/Step$1", "C/MapElements.lambda$x$0"),
        unstable(List.of(new Step("ParDo(Anonymous)", true), new Step("MapElements", true),
            new Step("A/ParDo(Anonymous)", false), new Step("A/Map", false), new Step("A/Map2", false),
            new Step("B/Step$1", false), new Step("C/MapElements.lambda$x$0", false),
            new Step("WriteOnline/user_spend.v2", true), new Step("Top10", true), new Step("ReadStream/payments", true))));
  }
}
