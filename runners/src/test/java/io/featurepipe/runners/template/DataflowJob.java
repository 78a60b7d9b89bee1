package io.featurepipe.runners.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.dataflow.DataflowRunner;
import org.apache.beam.runners.dataflow.options.DataflowPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.gcp.storage.NoopPathValidator;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Translates a pipeline to a Dataflow job without credentials or network: the DataflowRunner with
 * a fixed access token, a fake project and region, a no-op path validator, staging to a local
 * folder and {@code --templateLocation} set to a local file, so the job JSON is written there
 * instead of being submitted.
 */
final class DataflowJob {
  private DataflowJob() {}

  /** Makes {@code options} Dataflow options that stage under {@code dir} and write the job there. */
  static DataflowPipelineOptions offline(PipelineOptions options, Path dir, String jobName) throws IOException {
    DataflowPipelineOptions o = options.as(DataflowPipelineOptions.class);
    o.setRunner(DataflowRunner.class);
    o.setProject("featurepipe-test");
    o.setRegion("europe-west1");
    o.setJobName(jobName);
    o.setGcpCredential(GoogleCredentials.create(new AccessToken("not-a-token", null)));
    o.setPathValidatorClass(NoopPathValidator.class);
    o.setGcpTempLocation("gs://featurepipe-test/tmp");
    Path staging = Files.createDirectories(dir.resolve("staging"));
    o.setStagingLocation(staging.toString());
    // Stage one small file instead of the whole test classpath (hundreds of jars).
    Path jar = Files.writeString(dir.resolve("featurepipe-test.jar"), "not really a jar");
    o.setFilesToStage(List.of(jar.toString()));
    o.setTemplateLocation(dir.resolve("job.json").toString());
    return o;
  }

  /**
   * Runs the Dataflow translation of {@code pipeline} and returns the job JSON it wrote. The runner
   * is called directly: {@code Pipeline.run()} would first validate the transforms, and BigtableIO's
   * validation reads the table (the template's main prepares the table before it runs).
   */
  static JsonNode translate(Pipeline pipeline) throws IOException {
    DataflowRunner.fromOptions(pipeline.getOptions()).run(pipeline);
    DataflowPipelineOptions o = pipeline.getOptions().as(DataflowPipelineOptions.class);
    return new ObjectMapper().readTree(Path.of(o.getTemplateLocation()).toFile());
  }

  /** The user names of the job's steps ({@code ReadSource/payments/...}). */
  static List<String> stepNames(JsonNode job) {
    List<String> names = new ArrayList<>();
    for (JsonNode step : job.path("steps")) {
      names.add(step.path("properties").path("user_name").path("value").asText());
    }
    return names;
  }
}
