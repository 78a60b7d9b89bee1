package io.featurepipe.benchmarks.offline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * A CPU profile of a phase from Java Flight Recorder's execution samples (every thread running
 * Java code, every 10 ms): each sample is charged to the first frame from the top of its stack
 * that belongs to a known part of the stack (featurepipe's steps, Beam, Flink, Avro, ...); frames
 * of the JDK's collections and the like are passed over, so a {@code HashMap.get} is charged to its
 * caller. The result says which part of the stack the CPU went to.
 */
final class CpuProfile {

  /** Class-name prefixes and the part of the stack they are, most specific first. */
  static final List<Map.Entry<String, String>> PARTS = List.of(
      Map.entry("java.time.", "parse timestamps (java.time)"),
      Map.entry("io.featurepipe.transforms.decode.", "decode JSON lines"),
      Map.entry("com.fasterxml.jackson.", "decode JSON lines"),
      Map.entry("io.featurepipe.pipelines.ingest.", "decode JSON lines"),
      Map.entry("dev.cel.", "CEL filter"),
      Map.entry("io.featurepipe.transforms.expr.", "CEL filter"),
      Map.entry("io.featurepipe.transforms.aggregate.", "tiles and windows (featurepipe)"),
      Map.entry("io.featurepipe.transforms.compute.", "tiles and windows (featurepipe)"),
      Map.entry("io.featurepipe.transforms.record.", "featurepipe coders"),
      Map.entry("io.featurepipe.sinks.training.", "join steps (featurepipe)"),
      Map.entry("io.featurepipe.pipelines.training.", "read spine (featurepipe)"),
      Map.entry("io.featurepipe.sinks.", "write offline files (featurepipe)"),
      Map.entry("org.apache.avro.", "Avro"),
      Map.entry("org.xerial.snappy.", "snappy"),
      Map.entry("org.apache.beam.sdk.coders.", "Beam coders"),
      Map.entry("org.apache.beam.sdk.util.CoderUtils", "Beam coders"),
      Map.entry("org.apache.beam.runners.flink.", "Beam on Flink (translation, state, timers)"),
      Map.entry("org.apache.beam.runners.direct.", "DirectRunner"),
      Map.entry("org.apache.beam.runners.core.", "Beam runner core (DoFn calls, state, timers)"),
      Map.entry("org.apache.beam.", "Beam SDK, other"),
      Map.entry("org.apache.flink.runtime.operators.sort.", "Flink sort and spill"),
      Map.entry("org.apache.flink.runtime.io.", "Flink network and I/O"),
      Map.entry("org.apache.flink.", "Flink, other"));

  /** What the samples say: samples per part of the stack, and the hottest methods (top frames). */
  record Breakdown(long samples, Map<String, Long> byPart, Map<String, Long> hottest) {
    double share(String part) {
      return samples == 0 ? 0 : 100.0 * byPart.getOrDefault(part, 0L) / samples;
    }
  }

  private final Recording recording;
  private final Path file;

  private CpuProfile(Recording recording, Path file) {
    this.recording = recording;
    this.file = file;
  }

  static CpuProfile start(Path file) {
    Recording r = new Recording();
    r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
    r.setToDisk(true);
    r.start();
    return new CpuProfile(r, file);
  }

  /** Stops recording and writes the samples to the file (cheap: read them with {@link #breakdown}). */
  void stop() throws IOException {
    recording.stop();
    recording.dump(file);
  }

  /** Reads the samples written by {@link #stop}; releases the recording and deletes the file. */
  Breakdown breakdown() throws IOException {
    Map<String, Long> byPart = new LinkedHashMap<>();
    Map<String, Long> methods = new LinkedHashMap<>();
    long samples = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
        continue;
      }
      List<RecordedFrame> frames = e.getStackTrace().getFrames();
      if (frames.isEmpty()) {
        continue;
      }
      samples++;
      byPart.merge(partOf(frames), 1L, Long::sum);
      RecordedFrame top = frames.get(0);
      methods.merge(top.getMethod().getType().getName() + "." + top.getMethod().getName(), 1L, Long::sum);
    }
    recording.close();
    Files.deleteIfExists(file);
    return new Breakdown(samples, sorted(byPart, Integer.MAX_VALUE), sorted(methods, 8));
  }

  static String partOf(List<RecordedFrame> frames) {
    for (RecordedFrame f : frames) {
      String type = f.getMethod().getType().getName();
      for (Map.Entry<String, String> part : PARTS) {
        if (type.startsWith(part.getKey())) {
          return part.getValue();
        }
      }
    }
    return "other (JDK, threads, I/O)";
  }

  private static Map<String, Long> sorted(Map<String, Long> counts, int limit) {
    Map<String, Long> out = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
        .limit(limit)
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }
}
