package io.featurepipe.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The machine a benchmark ran on, for the header of {@code BENCHMARKS.md}. */
public record Machine(String cpu, int cores, long memoryGiB, String java, String os, String commit, Instant at) {

  static Machine describe() {
    String cpu = "unknown";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          cpu = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (IOException e) {
      // not Linux: leave unknown
    }
    long mem = 0;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          mem = Math.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / (1024.0 * 1024.0));
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return new Machine(
        cpu,
        Runtime.getRuntime().availableProcessors(),
        mem,
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        gitCommit(),
        Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  String line() {
    return String.format(
        "%s, %d cores, %d GiB, %s, %s, commit %s, %s", cpu, cores, memoryGiB, java, os, commit, at);
  }

  private static String gitCommit() {
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      return p.waitFor() == 0 ? out : "unknown";
    } catch (IOException | InterruptedException e) {
      return "unknown";
    }
  }
}
