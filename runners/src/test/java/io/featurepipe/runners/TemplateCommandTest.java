package io.featurepipe.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.runners.template.FlexTemplate;
import io.featurepipe.runners.template.TemplateMetadata;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code featurepipe template}: the files a platform team builds and launches the templates with. */
class TemplateCommandTest {

  @Test
  void writesMetadataImagesBuildConfigAndScript(@TempDir Path dir) throws Exception {
    Path jar = Files.writeString(dir.resolve("built.jar"), "the shaded jar");
    Path out = dir.resolve("templates");
    CliRun run = CliRun.of("template", "--output", out.toString(), "--jar", jar.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertEquals("the shaded jar", Files.readString(out.resolve("featurepipe.jar")));
    for (FlexTemplate t : FlexTemplate.values()) {
      assertEquals(TemplateMetadata.toJson(t), Files.readString(out.resolve(t.folder()).resolve("metadata.json")));
      String docker = Files.readString(out.resolve(t.folder()).resolve("Dockerfile"));
      assertTrue(docker.contains("FROM gcr.io/dataflow-templates-base/java17-template-launcher-base"), docker);
      assertTrue(docker.contains("ENV FLEX_TEMPLATE_JAVA_MAIN_CLASS=\"" + t.mainClass().getName() + "\""), docker);
      assertTrue(docker.contains("ENV FLEX_TEMPLATE_JAVA_CLASSPATH=\"/template/featurepipe.jar\""), docker);
      assertTrue(docker.contains("COPY featurepipe.jar /template/featurepipe.jar"), docker);
      Method main = t.mainClass().getMethod("main", String[].class);
      assertTrue(Modifier.isStatic(main.getModifiers()), t.mainClass() + " has a static main");
      assertTrue(run.out().contains(t.templateName()), run.out());
    }
    String build = Files.readString(out.resolve("cloudbuild.yaml"));
    assertTrue(build.contains("args: [build, -f, stream/Dockerfile, -t, '${_IMAGE_PREFIX}/featurepipe-stream:${_TAG}', .]"), build);
    String commands = Files.readString(out.resolve("commands.sh"));
    assertTrue(commands.contains("gcloud builds submit") && commands.contains("gcloud dataflow flex-template build")
        && commands.contains("gcloud dataflow flex-template run"), commands);
    assertTrue(Files.isExecutable(out.resolve("commands.sh")));
    Process syntax = new ProcessBuilder("bash", "-n", out.resolve("commands.sh").toString()).redirectErrorStream(true).start();
    assertEquals(0, syntax.waitFor(), new String(syntax.getInputStream().readAllBytes()));
    String readme = Files.readString(out.resolve("README.md"));
    assertTrue(readme.contains("featureRepository=gs://my-bucket/feature-defs/payments"), readme);
  }

  @Test
  void withoutAJarSaysWhereToPutIt(@TempDir Path dir) {
    CliRun run = CliRun.of("template", "--output", dir.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("copy the shaded jar there as featurepipe.jar"), run.out());
    assertTrue(Files.isRegularFile(dir.resolve("backfill").resolve("metadata.json")));
  }
}
