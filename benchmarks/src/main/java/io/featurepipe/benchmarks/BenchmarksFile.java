package io.featurepipe.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code BENCHMARKS.md}: a header, then one section per suite between markers, so that running one
 * suite replaces its own section and keeps the others (each section names its own machine and run).
 */
public final class BenchmarksFile {
  private static final Pattern SECTION =
      Pattern.compile("<!-- suite:(\\S+) -->\\n(.*?)<!-- /suite:\\1 -->\\n", Pattern.DOTALL);

  private final Map<String, String> sections;

  private BenchmarksFile(Map<String, String> sections) {
    this.sections = sections;
  }

  static BenchmarksFile read(Path file) throws IOException {
    Map<String, String> sections = new LinkedHashMap<>();
    if (Files.exists(file)) {
      Matcher m = SECTION.matcher(Files.readString(file));
      while (m.find()) {
        sections.put(m.group(1), m.group(2));
      }
    }
    return new BenchmarksFile(sections);
  }

  void put(String suite, String section) {
    sections.put(suite, section.endsWith("\n") ? section : section + "\n");
  }

  void write(Path file, Machine machine) throws IOException {
    StringBuilder b = new StringBuilder();
    b.append("# Benchmarks\n\n");
    b.append("Written by `./benchmarks/run [suite ...]` (see the README); every figure below is\n");
    b.append("reproduced by that command. Each section names the machine and commit it was measured\n");
    b.append("on, the data size, and a baseline measured in the same run: compare ratios, not\n");
    b.append("absolute times, across machines. These are benchmarks, not tests: nothing fails on a\n");
    b.append("slow figure.\n\n");
    for (Map.Entry<String, String> e : sections.entrySet()) {
      b.append("<!-- suite:").append(e.getKey()).append(" -->\n");
      b.append(e.getValue());
      b.append("<!-- /suite:").append(e.getKey()).append(" -->\n\n");
    }
    Files.writeString(file, b.toString().stripTrailing() + "\n");
  }

  /** The header line each suite puts under its title. */
  public static String machineLine(Machine m) {
    return "Machine: " + m.line() + ".";
  }
}
