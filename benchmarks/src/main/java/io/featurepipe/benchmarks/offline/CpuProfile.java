package io.featurepipe.benchmarks.offline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A CPU profile of a phase from Java Flight Recorder's execution samples (every thread running
 * Java code, every 10 ms), read two ways:
 *
 * <ul>
 *   <li>by <b>step</b>: the innermost DoFn on the stack (the step running, including the encoding
 *       of what it outputs), or, between steps, the runner's sorting, its (de)serialization of
 *       records between tasks, and the main thread building and submitting the job;
 *   <li>by <b>code</b>: the first frame from the top of the stack that belongs to a known part
 *       (featurepipe's decoders, accumulators, coders; CEL; Avro; Beam; Flink ...); frames of the
 *       JDK's collections and the like are passed over, so a {@code HashMap.get} is charged to its
 *       caller.
 * </ul>
 */
final class CpuProfile {

  /** Class-name prefixes and the part of the stack they are, most specific first. */
  static final List<Map.Entry<String, String>> PARTS = List.of(
      Map.entry("java.time.", "parse timestamps (java.time)"),
      Map.entry("io.featurepipe.transforms.decode.", "decode JSON lines"),
      Map.entry("com.fasterxml.jackson.", "decode JSON lines"),
      Map.entry("io.featurepipe.pipelines.ingest.kafka.", "Kafka client"),
      Map.entry("io.featurepipe.pipelines.ingest.", "decode JSON lines"),
      Map.entry("dev.cel.", "CEL filter"),
      Map.entry("io.featurepipe.transforms.expr.", "CEL filter"),
      Map.entry("io.featurepipe.transforms.aggregate.", "tiles and windows (featurepipe)"),
      Map.entry("io.featurepipe.transforms.compute.", "tiles and windows (featurepipe)"),
      Map.entry("io.featurepipe.transforms.record.", "featurepipe coders"),
      Map.entry("io.featurepipe.sinks.training.", "join steps (featurepipe)"),
      Map.entry("io.featurepipe.pipelines.training.", "read spine (featurepipe)"),
      Map.entry("io.featurepipe.sinks.online.", "online writes (featurepipe)"),
      Map.entry("io.featurepipe.sinks.", "write offline files (featurepipe)"),
      Map.entry("io.featurepipe.validation.", "validation (featurepipe)"),
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
      Map.entry("org.apache.flink.", "Flink, other"),
      Map.entry("org.apache.kafka.", "Kafka client"),
      Map.entry("com.google.cloud.bigtable.", "Bigtable client and gRPC"),
      Map.entry("com.google.api.gax.", "Bigtable client and gRPC"),
      Map.entry("io.grpc.", "Bigtable client and gRPC"));

  /** What the samples say: samples per step, per part of the code, and the hottest methods (top frames). */
  record Breakdown(long samples, Map<String, Long> byStep, Map<String, Long> byPart, Map<String, Long> hottest) {
    double share(long count) {
      return samples == 0 ? 0 : 100.0 * count / samples;
    }

    double share(String part) {
      return share(byPart.getOrDefault(part, 0L));
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
    return breakdown(Set.of());
  }

  /** As {@link #breakdown()}, leaving out the samples of the threads with the given Java ids. */
  Breakdown breakdown(Set<Long> leftOut) throws IOException {
    Map<String, Long> byStep = new LinkedHashMap<>();
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
      RecordedThread thread = e.getThread("sampledThread");
      if (thread != null && leftOut.contains(thread.getJavaThreadId())) {
        continue;
      }
      samples++;
      boolean main = e.getThread("sampledThread") != null && "main".equals(e.getThread("sampledThread").getJavaName());
      byStep.merge(main ? MAIN : stepOf(frames), 1L, Long::sum);
      byPart.merge(partOf(frames), 1L, Long::sum);
      RecordedFrame top = frames.get(0);
      methods.merge(top.getMethod().getType().getName() + "." + top.getMethod().getName(), 1L, Long::sum);
    }
    recording.close();
    Files.deleteIfExists(file);
    return new Breakdown(samples, sorted(byStep, Integer.MAX_VALUE), sorted(byPart, Integer.MAX_VALUE), sorted(methods, 8));
  }

  static final String MAIN = "(main thread: building, submitting and awaiting the job)";

  /** The innermost DoFn on the stack, by its class's simple name; or what the runner is doing between steps. */
  static String stepOf(List<RecordedFrame> frames) {
    for (RecordedFrame f : frames) {
      String type = f.getMethod().getType().getName();
      for (String invoker : List.of("$DoFnInvoker", "$OnTimerInvoker")) {
        int at = type.indexOf(invoker);
        if (at > 0) {
          String fn = type.substring(0, at);
          return fn.substring(fn.lastIndexOf('.') + 1);
        }
      }
    }
    for (RecordedFrame f : frames) {
      String type = f.getMethod().getType().getName();
      if (type.startsWith("org.apache.flink.runtime.operators.sort.")) {
        return "(between steps: sorting by key)";
      }
      if (type.startsWith("org.apache.flink.runtime.io.network.")) {
        return "(between steps: records to and from the network stack)";
      }
    }
    return "(between steps: other runner work)";
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
