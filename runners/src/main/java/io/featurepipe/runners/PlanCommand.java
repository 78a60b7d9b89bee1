package io.featurepipe.runners;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code featurepipe plan <repo>}: load and check definitions, print groups, features, versions and changes. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Load and check a feature repository; print its groups, features, windows and versions.",
      "Exits 1 and lists every mistake (file:line:column, field, reason) when a definition is wrong."
    })
final class PlanCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "REPO", description = "Folder of YAML feature definitions.")
  Path repository;

  @Option(names = "--json", description = "Print the plan as JSON (to keep and compare later).")
  boolean json;

  @Option(
      names = "--previous",
      paramLabel = "PLAN.json",
      description = "A plan printed earlier with --json: also print what changed since.")
  Path previous;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    FeatureRepository repo;
    try {
      repo = RepositoryOption.load(repository);
    } catch (DefinitionException e) {
      System.err.println(e.getMessage());
      return 1;
    }
    Plan plan = Plan.of(repo);
    if (json) {
      out.println(
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(plan));
      return 0;
    }
    out.print(plan.render(repository.toString()));
    if (previous != null) {
      Plan before = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .readValue(Files.readString(previous), Plan.class);
      out.println();
      out.print(Plan.changes(before, plan));
    }
    return 0;
  }
}
