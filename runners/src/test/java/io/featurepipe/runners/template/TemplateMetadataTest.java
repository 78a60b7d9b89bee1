package io.featurepipe.runners.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.backfill.Backfill;
import io.featurepipe.pipelines.stream.StreamFeatures;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import java.beans.Introspector;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generated metadata matches the options: every option is a parameter and every parameter an
 * option, regexes compile and accept the examples, and the examples, passed as Dataflow passes
 * them, parse back through the mains' options into the specs the pipelines run. The tables in
 * docs/dataflow.md are the generated ones.
 */
class TemplateMetadataTest {
  private static final Path CATALOG = Path.of("..", "feature-defs", "payments");
  private static FeatureRepository repository;

  @BeforeAll
  static void load() throws Exception {
    repository = RepositoryLoader.load(CATALOG);
  }

  @Test
  void everyOptionIsAParameterAndEveryParameterAnOption() {
    for (FlexTemplate t : FlexTemplate.values()) {
      Set<String> options = new TreeSet<>();
      for (Method m : t.options().getMethods()) {
        if (m.getDeclaringClass().getPackageName().equals(FlexTemplate.class.getPackageName())
            && m.getName().startsWith("get")) {
          options.add(Introspector.decapitalize(m.getName().substring(3)));
        }
      }
      Set<String> parameters =
          TemplateMetadata.parameters(t.options()).stream().map(TemplateMetadata.Parameter::name)
              .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(options, parameters, t.templateName());
      assertTrue(parameters.containsAll(List.of("featureRepository", "groups")), t.templateName());
    }
    assertTrue(names(FlexTemplate.BACKFILL).containsAll(List.of("from", "to", "offlineRoot", "dataRoot")));
    assertTrue(names(FlexTemplate.STREAM).containsAll(
        List.of("bigtable", "kafkaBootstrap", "topics", "pubsubSubscriptions", "since")));
  }

  @Test
  void documentSaysNameStreamingModeAndEachParametersFields() {
    Map<String, Object> backfill = TemplateMetadata.document(FlexTemplate.BACKFILL);
    Map<String, Object> stream = TemplateMetadata.document(FlexTemplate.STREAM);
    assertEquals("featurepipe-backfill", backfill.get("name"));
    assertEquals(false, backfill.get("streaming"));
    assertEquals(true, stream.get("streaming"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> params = (List<Map<String, Object>>) stream.get("parameters");
    assertTrue(TemplateMetadata.parameters(StreamTemplateOptions.class).stream()
        .anyMatch(p -> p.name().equals("statsWindow") && p.helpText().endsWith(" Default: 1h.")), "Beam defaults are told");
    Map<String, Object> first = params.get(0);
    assertEquals("featureRepository", first.get("name"));
    assertEquals(false, first.get("isOptional"));
    for (Map<String, Object> p : params) {
      assertTrue(p.keySet().containsAll(List.of("name", "label", "helpText", "isOptional", "regexes")), p.toString());
      assertFalse(((String) p.get("helpText")).isBlank(), p.toString());
    }
  }

  @Test
  void regexesCompileAcceptTheExamplesAndRejectMistakes() {
    for (FlexTemplate t : FlexTemplate.values()) {
      for (TemplateMetadata.Parameter p : TemplateMetadata.parameters(t.options())) {
        assertFalse(p.regexes().isEmpty(), p.name());
        for (String r : p.regexes()) {
          assertTrue(Pattern.compile(r).matcher(p.example()).matches(), p.name() + ": " + r + " vs " + p.example());
        }
      }
    }
    assertFalse(matches(FlexTemplate.BACKFILL, "from", "2026/01/10"));
    assertFalse(matches(FlexTemplate.STREAM, "bigtable", "my-project/features"));
    assertFalse(matches(FlexTemplate.STREAM, "statsWindow", "1 hour"));
    assertFalse(matches(FlexTemplate.STREAM, "topics", "payments"));
    assertFalse(matches(FlexTemplate.STREAM, "pubsubSubscriptions", "payments=my-subscription"));
  }

  @Test
  void backfillExamplesParseBackIntoTheSpecTheCommandWouldRun() {
    BackfillTemplateOptions o = BackfillTemplate.options(exampleArgs(FlexTemplate.BACKFILL));
    assertEquals(List.of("user_spend", "merchant_risk"), o.getGroups());
    Backfill.Spec spec = BackfillTemplate.spec(repository, o);
    assertEquals(LocalDate.parse("2026-01-10"), spec.from());
    assertEquals(LocalDate.parse("2026-01-12"), spec.to());
    assertEquals(List.of("merchant_risk", "user_spend").stream().sorted().toList(),
        spec.chosenGroups().stream().sorted().toList());
    assertEquals("gs://my-bucket/featurepipe/offline", spec.offlineRoot());
    assertEquals("gs://my-bucket/lake/events", spec.dataRoot());
    assertEquals("run-20260114", spec.runId());
    assertEquals("gs://my-bucket/featurepipe/dead-letters", spec.deadLetters());
  }

  @Test
  void streamExamplesParseBackIntoTheSpecTheCommandWouldRun() throws Exception {
    StreamTemplateOptions o = StreamTemplate.options(exampleArgs(FlexTemplate.STREAM));
    assertEquals(List.of("payments=payments-v2", "logins=logins-v2"), o.getTopics());
    assertEquals(true, o.getBootstrapFromFiles());
    // The examples name a Pub/Sub subscription for payments, a Kafka source in the catalog ...
    IllegalArgumentException wrongKind =
        assertThrows(IllegalArgumentException.class, () -> StreamTemplate.spec(repository, o));
    assertTrue(wrongKind.getMessage().contains("source 'payments', whose unbounded input is kafka"), wrongKind.getMessage());
    // ... and a baseline on Cloud Storage: without both, the rest makes the stream's spec.
    o.setPubsubSubscriptions(null);
    o.setBaseline(null);
    StreamFeatures.Spec spec = StreamTemplate.spec(repository, o);
    assertEquals("my-project/my-instance/features", spec.target().toString());
    assertEquals(List.of("user_spend", "merchant_risk").stream().sorted().toList(),
        spec.chosenGroups().stream().sorted().toList());
    assertTrue(spec.start().bootstrapped());
    assertEquals("2026-01-14T00:00:00Z", spec.start().since().toString());
    assertEquals("gs://my-bucket/lake/events", spec.bootstrapRoot());
    assertEquals("kafka-0.internal:9092,kafka-1.internal:9092", spec.inputs().kafkaBootstrap());
    assertEquals(Map.of("payments", "payments-v2", "logins", "logins-v2"), spec.inputs().topics());
    assertEquals("featurepipe-prod", spec.inputs().groupIdPrefix());
    assertEquals(java.time.Duration.ofHours(1), spec.statisticsWindow());
    assertEquals(java.time.Duration.ofMinutes(1), spec.freshnessInterval());
    assertEquals("https://hooks.example.com/featurepipe", spec.webhook());
    assertEquals("run-20260114", spec.runId());
  }

  @Test
  void aDayWithoutInputFailsTheLaunchUnlessAllowed(@org.junit.jupiter.api.io.TempDir Path empty) throws Exception {
    BackfillTemplateOptions o = BackfillTemplate.options(exampleArgs(FlexTemplate.BACKFILL));
    assertEquals(false, o.getAllowMissingInput(), "the example keeps the safe default");
    o.setDataRoot(empty.toString());
    List<String> missing = Backfill.missingInputs(BackfillTemplate.spec(repository, o));
    assertFalse(missing.isEmpty());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BackfillTemplate.checkInputs(missing, false));
    assertTrue(e.getMessage().contains("no file for source payments on 2026-01-10: " + empty), e.getMessage());
    assertTrue(e.getMessage().contains("Nothing was submitted") && e.getMessage().contains("allowMissingInput=true"), e.getMessage());
    BackfillTemplate.checkInputs(missing, true); // logged, not refused
    BackfillTemplate.checkInputs(List.of(), false);
  }

  @Test
  void aMissingRequiredParameterFailsNamingIt() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class,
            () -> BackfillTemplate.options(new String[] {
              "--featureRepository=x", "--from=2026-01-10", "--offlineRoot=o", "--dataRoot=d"}));
    assertTrue(e.getMessage().contains("--to"), e.getMessage());
  }

  @Test
  void docsTablesAreTheGeneratedOnes() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "dataflow.md"));
    for (FlexTemplate t : FlexTemplate.values()) {
      String begin = "<!-- parameters:" + t.folder() + " -->\n";
      String end = "<!-- /parameters:" + t.folder() + " -->";
      int from = doc.indexOf(begin);
      int to = doc.indexOf(end);
      assertTrue(from >= 0 && to > from, "docs/dataflow.md has the " + t.folder() + " table between " + begin.trim() + " and " + end);
      assertEquals(TemplateDocs.parameterTable(t), doc.substring(from + begin.length(), to),
          "regenerate the table in docs/dataflow.md from TemplateDocs.parameterTable(" + t + ")");
    }
  }

  /** Every parameter as Dataflow passes it: --name=example. */
  private static String[] exampleArgs(FlexTemplate t) {
    List<String> args = new ArrayList<>();
    for (TemplateMetadata.Parameter p : TemplateMetadata.parameters(t.options())) {
      args.add("--" + p.name() + "=" + p.example());
    }
    return args.toArray(new String[0]);
  }

  private static List<String> names(FlexTemplate t) {
    return TemplateMetadata.parameters(t.options()).stream().map(TemplateMetadata.Parameter::name).toList();
  }

  private static boolean matches(FlexTemplate t, String name, String value) {
    TemplateMetadata.Parameter p =
        TemplateMetadata.parameters(t.options()).stream().filter(q -> q.name().equals(name)).findFirst().orElseThrow();
    return p.regexes().stream().allMatch(r -> Pattern.matches(r, value));
  }
}
