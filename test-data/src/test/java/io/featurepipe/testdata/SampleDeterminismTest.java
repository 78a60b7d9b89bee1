package io.featurepipe.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed sample is exactly what the documented command generates. */
class SampleDeterminismTest {

  /**
   * The arguments of the command in test-data/README.md that produced test-data/sample/ (without
   * {@code --out}). Keep the two in sync.
   */
  static final String[] SAMPLE_ARGS = {
    "--seed", "20260101", "--start", "2026-01-01", "--days", "14", "--users", "200",
    "--merchants", "40", "--payments-per-user-per-day", "6.5", "--logins-per-user-per-day", "1",
    "--bad-record-rate", "0.002", "--late-rate", "0.02", "--hot-merchant-share", "0.2",
    "--fraud-user-share", "0.08", "--spine-rows", "2000"
  };

  /** The committed sample folder, from the module folder (Maven) or the repository root (IDEs). */
  static Path committedSample() {
    Path base = Path.of(System.getProperty("basedir", "."));
    for (Path p : List.of(base.resolve("sample"), base.resolve("test-data/sample"))) {
      if (Files.isDirectory(p.resolve("payments"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find test-data/sample from " + base.toAbsolutePath());
  }

  static String[] argsWithOut(Path out) {
    String[] args = Arrays.copyOf(SAMPLE_ARGS, SAMPLE_ARGS.length + 2);
    args[SAMPLE_ARGS.length] = "--out";
    args[SAMPLE_ARGS.length + 1] = out.toString();
    return args;
  }

  @Test
  void regeneratedSampleIsByteIdenticalToTheCommittedOne(@TempDir Path tmp) throws IOException {
    PaymentsGenerator.run(PaymentsGenerator.parseArgs(argsWithOut(tmp)),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    Map<String, byte[]> generated = files(tmp);
    Map<String, byte[]> committed = files(committedSample());
    assertEquals(committed.keySet(), generated.keySet(), "the sample holds exactly the generated files");
    for (Map.Entry<String, byte[]> e : committed.entrySet()) {
      byte[] want = e.getValue();
      byte[] got = generated.get(e.getKey());
      if (!Arrays.equals(want, got)) {
        fail(e.getKey() + " differs from the committed sample: " + firstDifference(want, got)
            + "\nRegenerate with the command in test-data/README.md if the change is intended.");
      }
    }
  }

  @Test
  void sampleDefaultsAreTheSampleArguments(@TempDir Path tmp) {
    assertEquals(PaymentsConfig.sample(), PaymentsGenerator.parseArgs(argsWithOut(tmp)).config());
  }

  @Test
  void sameConfigSameEventsDifferentSeedDifferentEvents() {
    PaymentsConfig small = PaymentsConfig.builder().days(3).users(30).merchants(12).build();
    GeneratedData a = new PaymentsGenerator(small).generate();
    GeneratedData b = new PaymentsGenerator(small).generate();
    assertEquals(a.payments(), b.payments());
    assertEquals(a.logins(), b.logins());
    assertEquals(a.badRecords(), b.badRecords());
    assertEquals(a.files(), b.files());
    GeneratedData c = new PaymentsGenerator(small.toBuilder().seed(small.seed() + 1).build()).generate();
    assertNotEquals(a.payments(), c.payments());
  }

  @Test
  void filesHoldExactlyTheEventsAndTheBadLines() {
    GeneratedData g = new PaymentsGenerator(PaymentsConfig.builder().days(3).users(60).merchants(20)
        .badRecordRate(0.02).build()).generate();
    StringBuilder payments = new StringBuilder();
    StringBuilder logins = new StringBuilder();
    g.files().forEach((path, content) -> {
      if (path.startsWith("payments/")) {
        payments.append(content);
      } else if (path.startsWith("logins/")) {
        logins.append(content.substring(content.indexOf('\n') + 1));
      }
    });
    long paymentLines = payments.chars().filter(c -> c == '\n').count();
    long loginLines = logins.chars().filter(c -> c == '\n').count();
    assertEquals(g.payments().size() + g.badRecords("payments").size(), paymentLines);
    assertEquals(g.logins().size() + g.badRecords("logins").size(), loginLines);
    for (BadRecord b : g.badRecords()) {
      String[] lines = g.files().get(b.file()).split("\n", -1);
      assertEquals(b.text(), lines[b.line() - 1], b.toString());
    }
    assertTrue(g.badRecords().size() > 10);
  }

  private static Map<String, byte[]> files(Path root) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        out.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    }
    return out;
  }

  private static String firstDifference(byte[] want, byte[] got) {
    String[] a = new String(want, StandardCharsets.UTF_8).split("\n", -1);
    String[] b = new String(got, StandardCharsets.UTF_8).split("\n", -1);
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      if (!a[i].equals(b[i])) {
        return "line " + (i + 1) + "\n  committed: " + a[i] + "\n  generated: " + b[i];
      }
    }
    return "committed has " + a.length + " lines, generated " + b.length;
  }
}
