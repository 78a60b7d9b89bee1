package io.featurepipe.runners.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar {@code runners/target/featurepipe.jar} (built in the package phase, before this
 * test) is what {@code flink run} and {@code java -jar} execute: its manifest names the command
 * line, the service files Beam and Flink look things up with are merged from every jar, and its
 * main runs on a plain JVM with nothing else on the class path.
 */
class ShadedJarIT {
  private static final Path JAR = Path.of("target/featurepipe.jar");

  private static List<String> services(JarFile jar, String service) throws IOException {
    var entry = jar.getEntry("META-INF/services/" + service);
    assertTrue(entry != null, "no service file for " + service);
    try (InputStream in = jar.getInputStream(entry)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .map(String::trim)
          .filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .toList();
    }
  }

  private static void assertHas(List<String> providers, String... names) {
    for (String n : names) {
      assertTrue(providers.contains(n), n + " missing from " + providers);
    }
  }

  @Test
  void manifestAndMergedServiceFiles() throws IOException {
    try (JarFile jar = new JarFile(JAR.toFile())) {
      assertEquals("io.featurepipe.runners.FeaturepipeCli", jar.getManifest().getMainAttributes().getValue("Main-Class"));
      assertHas(services(jar, "org.apache.beam.sdk.runners.PipelineRunnerRegistrar"),
          "org.apache.beam.runners.flink.FlinkRunnerRegistrar$Runner",
          "org.apache.beam.runners.direct.DirectRegistrar$Runner");
      assertHas(services(jar, "org.apache.beam.sdk.options.PipelineOptionsRegistrar"),
          "org.apache.beam.runners.flink.FlinkRunnerRegistrar$Options",
          "org.apache.beam.sdk.extensions.gcp.options.GcpPipelineOptionsRegistrar");
      assertHas(services(jar, "org.apache.beam.sdk.io.FileSystemRegistrar"),
          "org.apache.beam.sdk.io.LocalFileSystemRegistrar",
          "org.apache.beam.sdk.extensions.gcp.storage.GcsFileSystemRegistrar");
      // what Flink's client looks up to reach a cluster and to run a job there
      assertHas(services(jar, "org.apache.flink.client.deployment.ClusterClientFactory"),
          "org.apache.flink.client.deployment.StandaloneClientFactory");
      assertHas(services(jar, "org.apache.flink.core.execution.PipelineExecutorFactory"),
          "org.apache.flink.client.deployment.executors.RemoteExecutorFactory");
      // the state backend featurepipe chooses with --stateBackendStoragePath, and RocksDB's natives
      assertTrue(jar.getEntry("io/featurepipe/runners/flink/IncrementalRocksDb.class") != null);
      assertTrue(jar.getEntry("org/apache/flink/contrib/streaming/state/RocksDBStateBackend.class") != null);
      assertTrue(jar.getEntry("librocksdbjni-linux64.so") != null, "RocksDB's native library");
    }
  }

  @Test
  void itsMainRunsAlone() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path out = Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "featurepipe-jar", ".txt");
    Process p = new ProcessBuilder(java.toString(), "-jar", JAR.toString(), "stream", "--help")
        .redirectErrorStream(true)
        .redirectOutput(out.toFile())
        .start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "java -jar featurepipe.jar stream --help did not end");
    String text = Files.readString(out);
    assertEquals(0, p.exitValue(), text);
    assertTrue(text.contains("Usage: featurepipe stream"), text);
  }
}
