package io.featurepipe.runners;

import io.featurepipe.runners.template.FlexTemplate;
import io.featurepipe.runners.template.TemplateFiles;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code featurepipe template}: writes the Dataflow Flex Template files (metadata, launcher image
 * definitions, Cloud Build config, build-and-launch script) of the backfill and stream templates.
 */
@Command(
    name = "template",
    mixinStandardHelpOptions = true,
    description = {
      "Write the Dataflow Flex Templates of the backfill (batch) and stream",
      "(streaming) pipelines into --output: <name>/metadata.json (parameters",
      "generated from the templates' options), <name>/Dockerfile (the Java 17",
      "launcher image running the shaded jar), cloudbuild.yaml, commands.sh",
      "(build, backfill, stream) and README.md. See docs/dataflow.md."
    })
final class TemplateCommand implements Callable<Integer> {

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Folder to write the files to.")
  Path output;

  @Option(
      names = "--jar",
      paramLabel = "FILE",
      description = "The shaded jar to copy into the folder (default: the jar this command runs from, if any).")
  Path jar;

  @Override
  public Integer call() throws Exception {
    Path source = jar != null ? jar : runningJar();
    if (source != null && !Files.isRegularFile(source)) {
      throw new IllegalArgumentException("--jar " + source + " is not a file");
    }
    List<Path> files = TemplateFiles.write(output, source);
    for (FlexTemplate t : FlexTemplate.values()) {
      System.out.printf("template %-22s %s/%s/{metadata.json,Dockerfile}, main %s%n",
          t.templateName(), output, t.folder(), t.mainClass().getName());
    }
    System.out.printf("%d files under %s%s; next: %s/commands.sh build (see README.md there)%n",
        files.size(), output, source == null ? " (copy the shaded jar there as featurepipe.jar)" : "", output);
    return 0;
  }

  /** The jar this class was loaded from, or null when it runs from a classes folder. */
  private static Path runningJar() throws URISyntaxException {
    var location = TemplateCommand.class.getProtectionDomain().getCodeSource();
    if (location == null) {
      return null;
    }
    Path p = Path.of(location.getLocation().toURI());
    return Files.isRegularFile(p) && p.toString().endsWith(".jar") ? p : null;
  }
}
