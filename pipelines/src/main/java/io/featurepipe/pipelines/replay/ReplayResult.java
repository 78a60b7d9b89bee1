package io.featurepipe.pipelines.replay;

import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@link Replay} decided for every dead-lettered record and where it went: the replay files
 * and their lines (or Avro datums), the Kafka messages, the rows for a JDBC table, the dates a
 * backfill rerun must read again, the new dead letters, and counts per original and new reason
 * ({@link #print}).
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
    NOT_REPLAYED,
    /**
     * It passes now and is still in its input (a line or record of its file, a row of its database):
     * nothing is written; a backfill rerun of its date ({@link #rerunDates}) reads it.
     */
    RERUN
  }

  /**
   * The outcome for one record.
   *
   * @param original its (first) dead letter
   * @param letters how many dead letters it stands for
   * @param destination the replay file, {@code kafka <bootstrap> <topic>} or {@code jdbc <table>};
   *     null unless replayed
   * @param header the replay file's header line, or null
   * @param line the record in its source's format (for Avro sources: as JSON); null unless replayed
   * @param bytes for Avro sources: the message value or the datum of the replay file; else null
   * @param record the record as it passes now; null unless replayed or to rerun
   * @param newLetters the new dead letters (for a replayed record: groups that still reject it)
   */
  public record Outcome(
      DeadLetter original, int letters, Verdict verdict, String destination, String header,
      String line, byte[] bytes, SourceRecord record, List<DeadLetter> newLetters) {

    static Outcome replayed(
        DeadLetter d, int letters, String destination, String header, String line, byte[] bytes,
        SourceRecord record, List<DeadLetter> groupRejections) {
      return new Outcome(d, letters, Verdict.REPLAYED, destination, header, line, bytes, record, List.copyOf(groupRejections));
    }

    static Outcome failed(DeadLetter d, int letters, List<DeadLetter> now) {
      return new Outcome(d, letters, Verdict.FAILED, null, null, null, null, null, List.copyOf(now));
    }

    static Outcome notReplayed(DeadLetter d, int letters, String why) {
      return new Outcome(d, letters, Verdict.NOT_REPLAYED, null, null, null, null, null, List.of(notReplayedLetter(d, why)));
    }

    /** Passes now and is still in its input: kept as a {@code not replayed: } letter saying so. */
    static Outcome rerun(DeadLetter d, int letters, SourceRecord record, String why) {
      return new Outcome(d, letters, Verdict.RERUN, null, null, null, null, record, List.of(notReplayedLetter(d, why)));
    }

    private static DeadLetter notReplayedLetter(DeadLetter d, String why) {
      String was = d.reason().isEmpty() || d.reason().startsWith("not replayed: ") ? "" : "; was: " + d.reason();
      return new DeadLetter(d.source(), d.step(), "not replayed: " + why + was, d.payload(), d.origin());
    }

    public long eventTimeNanos() {
      return record == null ? 0 : record.eventTimeNanos();
    }

    /** The UTC date of its event time; null without a record. */
    public LocalDate eventDate() {
      return record == null ? null : Instant.ofEpochMilli(record.eventTimeMillis()).atZone(ZoneOffset.UTC).toLocalDate();
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

  /** The text replay files (jsonl, csv): path to lines (header first, then records by event time). */
  public Map<String, List<String>> replayFiles() {
    Map<String, List<String>> out = new TreeMap<>();
    filesOf(false).forEach((file, os) -> {
      List<String> lines = new ArrayList<>();
      if (os.get(0).header() != null) {
        lines.add(os.get(0).header());
      }
      os.forEach(o -> lines.add(o.line()));
      out.put(file, lines);
    });
    return out;
  }

  /** The Avro replay files: path to the datums of its records, by event time. */
  public Map<String, List<byte[]>> avroFiles() {
    Map<String, List<byte[]>> out = new TreeMap<>();
    filesOf(true).forEach((file, os) -> out.put(file, os.stream().map(Outcome::bytes).toList()));
    return out;
  }

  private Map<String, List<Outcome>> filesOf(boolean avro) {
    Map<String, List<Outcome>> byFile = new TreeMap<>();
    for (Outcome o : outcomes) {
      if (o.verdict() == Verdict.REPLAYED && !o.destination().startsWith("kafka ")
          && !o.destination().startsWith("jdbc ") && (o.bytes() != null) == avro) {
        byFile.computeIfAbsent(o.destination(), f -> new ArrayList<>()).add(o);
      }
    }
    byFile.values().forEach(os -> os.sort(Comparator.comparingLong(Outcome::eventTimeNanos).thenComparing(Outcome::line)));
    return byFile;
  }

  /** The Kafka messages: {@code <bootstrap> <topic>} to values, in dead-letter order. */
  public Map<String, List<byte[]>> messages() {
    Map<String, List<byte[]>> out = new TreeMap<>();
    for (Outcome o : outcomes) {
      if (o.verdict() == Verdict.REPLAYED && o.destination().startsWith("kafka ")) {
        out.computeIfAbsent(o.destination().substring("kafka ".length()), t -> new ArrayList<>())
            .add(o.bytes() != null ? o.bytes() : o.line().getBytes(StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  /** The records to insert into a JDBC table: source name to its records, by event time. */
  public Map<String, List<SourceRecord>> jdbcRows() {
    Map<String, List<Outcome>> bySource = new TreeMap<>();
    for (Outcome o : outcomes) {
      if (o.verdict() == Verdict.REPLAYED && o.destination().startsWith("jdbc ")) {
        bySource.computeIfAbsent(o.original().source(), t -> new ArrayList<>()).add(o);
      }
    }
    Map<String, List<SourceRecord>> out = new TreeMap<>();
    bySource.forEach((source, os) -> out.put(source, os.stream()
        .sorted(Comparator.comparingLong(Outcome::eventTimeNanos).thenComparing(Outcome::line))
        .map(Outcome::record).toList()));
    return out;
  }

  /**
   * What a backfill rerun must read again: per source, the dates of records that pass now (with
   * how many), replayed into a replay file or a JDBC table, or still in their input ({@link
   * Verdict#RERUN}). Records produced to Kafka are not here: the running stream counts them.
   */
  public Map<String, Map<LocalDate, Long>> rerunDates() {
    Map<String, Map<LocalDate, Long>> out = new TreeMap<>();
    for (Outcome o : outcomes) {
      boolean read = o.verdict() == Verdict.RERUN
          || o.verdict() == Verdict.REPLAYED && !o.destination().startsWith("kafka ");
      if (read) {
        out.computeIfAbsent(o.original().source(), s -> new TreeMap<>()).merge(o.eventDate(), 1L, Long::sum);
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
    avroFiles().forEach((f, datums) -> out.printf("    %,6d  %s%n", datums.size(), f));
    messages().forEach((t, ms) -> out.printf("    %,6d  kafka %s%n", ms.size(), t));
    Map<String, Long> tables = new TreeMap<>();
    outcomes.stream().filter(o -> o.verdict() == Verdict.REPLAYED && o.destination().startsWith("jdbc "))
        .forEach(o -> tables.merge(o.original().source() + " into table " + o.destination().substring(5), 1L, Long::sum));
    tables.forEach((t, n) -> out.printf("    %,6d  source %s%n", n, t));
    // one reason per record (it names the origin): the dates below sum them up
    out.printf("  pass now, still in their input (nothing written): %,d%n", count(Verdict.RERUN));
    out.printf("  still failing: %,d%n", count(Verdict.FAILED));
    printReasons(out, Verdict.FAILED);
    out.printf("  not replayed: %,d%n", count(Verdict.NOT_REPLAYED));
    printReasons(out, Verdict.NOT_REPLAYED);
    out.println("  by original reason (replayed / still failing / not replayed / in their input):");
    Map<String, long[]> byReason = new TreeMap<>();
    for (Outcome o : outcomes) {
      byReason.computeIfAbsent(o.original().step() + ": " + o.original().reason(), r -> new long[Verdict.values().length])[o.verdict().ordinal()]++;
    }
    byReason.forEach((r, c) -> out.printf("    %,d / %,d / %,d / %,d  %s%n", c[0], c[1], c[2], c[3], r));
    List<DeadLetter> dead = newDeadLetters();
    if (!dead.isEmpty()) {
      out.printf("new dead letters: %,d %s %s%n", dead.size(), dryRun ? "would go to" : "in", failedFile);
    }
    Map<String, Map<LocalDate, Long>> rerun = rerunDates();
    if (rerun.isEmpty()) {
      out.println("no backfill rerun needed");
    } else {
      out.println("backfill rerun needed (then materialize): these dates' records pass now and are"
          + (dryRun ? " (would be)" : "") + " in the input a backfill reads");
      rerun.forEach((source, dates) -> dates.forEach((date, n) ->
          out.printf("    source %s  %s  %,d records%n", source, date, n)));
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
