package io.featurepipe.pipelines.replay;

import io.featurepipe.transforms.record.DeadLetter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@link Replay} decided for every dead-lettered record and where it went: the replay files
 * and their lines, the Kafka messages, the new dead letters, and counts per original and new
 * reason ({@link #print}).
 *
 * @param replayId the id naming the replay files
 * @param deadLetterFiles the dead-letter files read
 * @param letters how many dead letters they held
 * @param outcomes one per record (letters of the same source, origin and payload are one record)
 * @param failedFile where the new dead letters are (or would be) written
 */
public record ReplayResult(
    String replayId, List<String> deadLetterFiles, int letters, List<Outcome> outcomes, String failedFile, boolean dryRun) {

  /** What happened to a record. */
  public enum Verdict {
    /** It passes now and was written to a replay file or produced to its topic. */
    REPLAYED,
    /** It still fails: a new dead letter with the new reason. */
    FAILED,
    /** It was not tried, to count nothing twice or because it cannot go anywhere (the reason says). */
    NOT_REPLAYED
  }

  /**
   * The outcome for one record.
   *
   * @param original its (first) dead letter
   * @param letters how many dead letters it stands for
   * @param destination the replay file, or {@code kafka <bootstrap> <topic>}; null unless replayed
   * @param header the replay file's header line, or null
   * @param line the record in its source's format; null unless replayed
   * @param newLetters the new dead letters (for a replayed record: groups that still reject it)
   */
  public record Outcome(
      DeadLetter original, int letters, Verdict verdict, String destination, String header,
      String line, long eventTimeNanos, List<DeadLetter> newLetters) {

    static Outcome replayed(
        DeadLetter d, int letters, String destination, String header, String line, long eventTimeNanos,
        List<DeadLetter> groupRejections) {
      return new Outcome(d, letters, Verdict.REPLAYED, destination, header, line, eventTimeNanos, List.copyOf(groupRejections));
    }

    static Outcome failed(DeadLetter d, int letters, List<DeadLetter> now) {
      return new Outcome(d, letters, Verdict.FAILED, null, null, null, 0, List.copyOf(now));
    }

    static Outcome notReplayed(DeadLetter d, int letters, String why) {
      String was = d.reason().isEmpty() || d.reason().startsWith("not replayed: ") ? "" : "; was: " + d.reason();
      String reason = "not replayed: " + why + was;
      return new Outcome(d, letters, Verdict.NOT_REPLAYED, null, null, null, 0,
          List.of(new DeadLetter(d.source(), d.step(), reason, d.payload(), d.origin())));
    }

    /** The reason it did not pass now (the first new dead letter's), or null. */
    public String newReason() {
      return verdict == Verdict.REPLAYED || newLetters.isEmpty() ? null : newLetters.get(0).reason();
    }
  }

  /** Records with a verdict. */
  public long count(Verdict v) {
    return outcomes.stream().filter(o -> o.verdict() == v).count();
  }

  /** The replay files: path to lines (header first, then records by event time). */
  public Map<String, List<String>> replayFiles() {
    Map<String, List<Outcome>> byFile = new TreeMap<>();
    for (Outcome o : outcomes) {
      if (o.verdict() == Verdict.REPLAYED && !o.destination().startsWith("kafka ")) {
        byFile.computeIfAbsent(o.destination(), f -> new ArrayList<>()).add(o);
      }
    }
    Map<String, List<String>> out = new TreeMap<>();
    byFile.forEach((file, os) -> {
      os.sort(Comparator.comparingLong(Outcome::eventTimeNanos).thenComparing(Outcome::line));
      List<String> lines = new ArrayList<>();
      if (os.get(0).header() != null) {
        lines.add(os.get(0).header());
      }
      os.forEach(o -> lines.add(o.line()));
      out.put(file, lines);
    });
    return out;
  }

  /** The Kafka messages: {@code <bootstrap> <topic>} to values, in dead-letter order. */
  public Map<String, List<byte[]>> messages() {
    Map<String, List<byte[]>> out = new TreeMap<>();
    for (Outcome o : outcomes) {
      if (o.verdict() == Verdict.REPLAYED && o.destination().startsWith("kafka ")) {
        out.computeIfAbsent(o.destination().substring("kafka ".length()), t -> new ArrayList<>())
            .add(o.line().getBytes(StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  /** Every new dead letter: records that still fail, were not replayed, or that a group rejects. */
  public List<DeadLetter> newDeadLetters() {
    List<DeadLetter> out = new ArrayList<>();
    outcomes.forEach(o -> out.addAll(o.newLetters()));
    return out;
  }

  /** Prints what happened, with counts per original reason and per new reason. */
  public void print(PrintStream out) {
    out.printf("replay %s%s: %,d dead letters in %d files, %,d records%n",
        replayId, dryRun ? " (dry run: nothing written)" : "", letters, deadLetterFiles.size(), outcomes.size());
    out.printf("  replayed:     %,d%n", count(Verdict.REPLAYED));
    replayFiles().forEach((f, lines) -> out.printf("    %,6d  %s%n", lines.size() - (header(f) ? 1 : 0), f));
    messages().forEach((t, ms) -> out.printf("    %,6d  kafka %s%n", ms.size(), t));
    out.printf("  still failing: %,d%n", count(Verdict.FAILED));
    printReasons(out, Verdict.FAILED);
    out.printf("  not replayed: %,d%n", count(Verdict.NOT_REPLAYED));
    printReasons(out, Verdict.NOT_REPLAYED);
    out.println("  by original reason (replayed / still failing / not replayed):");
    Map<String, long[]> byReason = new TreeMap<>();
    for (Outcome o : outcomes) {
      byReason.computeIfAbsent(o.original().step() + ": " + o.original().reason(), r -> new long[3])[o.verdict().ordinal()]++;
    }
    byReason.forEach((r, c) -> out.printf("    %,d / %,d / %,d  %s%n", c[0], c[1], c[2], r));
    List<DeadLetter> dead = newDeadLetters();
    if (!dead.isEmpty()) {
      out.printf("new dead letters: %,d %s %s%n", dead.size(), dryRun ? "would go to" : "in", failedFile);
    }
  }

  private boolean header(String file) {
    return outcomes.stream().anyMatch(o -> file.equals(o.destination()) && o.header() != null);
  }

  private void printReasons(PrintStream out, Verdict v) {
    Map<String, Long> counts = new LinkedHashMap<>();
    outcomes.stream()
        .filter(o -> o.verdict() == v)
        .map(Outcome::newReason)
        .sorted()
        .forEach(r -> counts.merge(r, 1L, Long::sum));
    counts.forEach((r, n) -> out.printf("    %,6d  %s%n", n, r));
  }
}
