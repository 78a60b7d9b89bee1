package io.featurepipe.pipelines.replay;

import io.featurepipe.pipelines.ingest.jdbc.SourceDatabase;
import io.featurepipe.pipelines.ingest.kafka.ProduceLines;
import io.featurepipe.sinks.deadletter.WriteDeadLetters;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Replays dead letters after a fix: pushes each rejected record back through the read, check and
 * preparation steps of its source with the current definitions; records that now pass go where
 * their pipeline reads them again, records that still fail go to a new dead-letter file with their
 * new reason.
 *
 * <ul>
 *   <li><b>File sources</b> (jsonl, csv, avro; dead letters of file origin): a replay file per
 *       source and event date, named so the source's {@code bounded.path} matches it ({@link
 *       ReplayFiles}): lines for jsonl and csv, an Avro container file of the schema derived from
 *       the definition for avro ({@link AvroRecords}); a rerun of the backfill for those dates reads
 *       it with the original files.
 *   <li><b>Kafka sources</b> (dead letters with origin {@code kafka:...}): produced again to the
 *       source's topic, where the running stream reads them: text lines, or for avro the bare
 *       datum {@code ReadKafka} reads (the original bytes of a {@code base64:} payload, else the
 *       record encoded again).
 *   <li><b>JDBC sources</b>: their records are rows of the user's database. A record the source's
 *       query still returns for its date ({@link DatabaseRows}) is not written: a backfill rerun
 *       reads it ({@link ReplayResult.Verdict#RERUN}). A record whose payload was fixed is inserted
 *       into the {@link #withJdbcTable} table (one transaction per source, checked to be read back
 *       by the query), or not replayed when no table is named.
 * </ul>
 *
 * <p>Nothing is counted twice: a record still in its input (its payload equals the line or Avro
 * record at its origin, or decodes to the same values; a row the query returns) is not written,
 * since a rerun reads it anyway ({@link ReplayResult#rerunDates} lists the dates); a record
 * rejected only by some groups ({@code PrepareGroups/<group>} for some but not all groups of its
 * source) was used by the others and is not replayed; letters with the same source, origin and
 * payload are one record. Those are written to the new dead-letter file as {@code not replayed:
 * <why>}. The replay id (default: a hash of the dead letters read) names the replay files, so
 * replaying the same dead letters again replaces them instead of adding to them; a row inserted
 * into the JDBC table is returned by the query on a replay again, so it is not inserted twice.
 *
 * <pre>{@code
 * ReplayResult r = Replay.of(repo, List.of("offline/_dead_letters/run-1/*.jsonl"))
 *     .withDataRoot("data/")
 *     .run();
 * r.print(System.out);
 * }</pre>
 */
public final class Replay {

  /** Where records that pass go. */
  public enum Target {
    /** Kafka for dead letters read from Kafka, the database for JDBC sources, files for the others. */
    AUTO,
    FILES,
    KAFKA,
    /** Rows of a JDBC source's database: a rerun reads them, or {@link #withJdbcTable} inserts them. */
    JDBC
  }

  private final FeatureRepository repository;
  private final List<String> deadLetters;
  private final String dataRoot;
  private final String outputRoot;
  private final String kafkaBootstrap;
  private final Target target;
  private final String failedOutput;
  private final String replayId;
  private final boolean dryRun;
  private final String jdbcTable;

  private Replay(
      FeatureRepository repository, List<String> deadLetters, String dataRoot, String outputRoot,
      String kafkaBootstrap, Target target, String failedOutput, String replayId, boolean dryRun,
      String jdbcTable) {
    this.jdbcTable = jdbcTable;
    this.repository = repository;
    this.deadLetters = deadLetters;
    this.dataRoot = dataRoot;
    this.outputRoot = outputRoot;
    this.kafkaBootstrap = kafkaBootstrap;
    this.target = target;
    this.failedOutput = failedOutput;
    this.replayId = replayId;
    this.dryRun = dryRun;
  }

  /** A replay of the dead-letter files the paths or globs match, with the defaults below. */
  public static Replay of(FeatureRepository repository, List<String> deadLetters) {
    Objects.requireNonNull(repository, "repository");
    if (deadLetters == null || deadLetters.isEmpty()) {
      throw new IllegalArgumentException("no dead-letter files given");
    }
    return new Replay(repository, List.copyOf(deadLetters), ".", null, null, Target.AUTO, null, null, false, null);
  }

  /** The folder (or URL) the sources' bounded paths are relative to (default: the current folder). */
  public Replay withDataRoot(String root) {
    return new Replay(repository, deadLetters, Objects.requireNonNull(root, "dataRoot"), outputRoot,
        kafkaBootstrap, target, failedOutput, replayId, dryRun, jdbcTable);
  }

  /**
   * Writes replay files under this root instead of the data root (the backfill must then read it
   * too); a source path without a wildcard is then written as it is.
   */
  public Replay withOutputRoot(String root) {
    return new Replay(repository, deadLetters, dataRoot, root, kafkaBootstrap, target, failedOutput, replayId, dryRun, jdbcTable);
  }

  /** The Kafka brokers to produce to, instead of the sources' {@code bootstrap}. */
  public Replay withKafkaBootstrap(String bootstrap) {
    return new Replay(repository, deadLetters, dataRoot, outputRoot, bootstrap, target, failedOutput, replayId, dryRun, jdbcTable);
  }

  public Replay withTarget(Target t) {
    return new Replay(repository, deadLetters, dataRoot, outputRoot, kafkaBootstrap,
        Objects.requireNonNull(t, "target"), failedOutput, replayId, dryRun, jdbcTable);
  }

  /**
   * The folder of the new dead-letter file (default: {@code replay-<id>} beside the folder of the
   * first dead-letter file, e.g. {@code <offline-root>/_dead_letters/replay-<id>/}).
   */
  public Replay withFailedOutput(String dir) {
    return new Replay(repository, deadLetters, dataRoot, outputRoot, kafkaBootstrap, target, dir, replayId, dryRun, jdbcTable);
  }

  /** The replay's id (letters, digits, {@code -} and {@code _}); default a hash of the dead letters. */
  public Replay withReplayId(String id) {
    if (id != null && !id.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException("replay id '" + id + "' may hold only letters, digits, '-' and '_'");
    }
    return new Replay(repository, deadLetters, dataRoot, outputRoot, kafkaBootstrap, target, failedOutput, id, dryRun, jdbcTable);
  }

  /**
   * Records of JDBC sources that pass now and are no longer returned by the source's query (their
   * payload was changed) are inserted into this table (columns named as the source's fields), in
   * one transaction per source that also checks the source's query now returns them; default: none
   * (they are not replayed, and say so).
   */
  public Replay withJdbcTable(String table) {
    return new Replay(repository, deadLetters, dataRoot, outputRoot, kafkaBootstrap, target, failedOutput, replayId, dryRun, table);
  }

  /** Decides everything and writes nothing. */
  public Replay withDryRun(boolean dry) {
    return new Replay(repository, deadLetters, dataRoot, outputRoot, kafkaBootstrap, target, failedOutput, replayId, dry, jdbcTable);
  }

  /** Reads the dead letters, replays them and writes the results (unless a dry run). */
  public ReplayResult run() throws IOException {
    List<String> files = DeadLetterFiles.match(deadLetters);
    List<DeadLetterFiles.Entry> entries = DeadLetterFiles.read(files);
    String id = replayId != null ? replayId : hash(entries);
    String failedDir = failedOutput != null ? failedOutput : defaultFailedOutput(files.get(0), id);
    ReplayChecks checks =
        new ReplayChecks(
            repository, target, outputRoot != null ? outputRoot : dataRoot, outputRoot != null,
            kafkaBootstrap, id, jdbcTable, entries.stream().map(e -> e.letter().origin()).toList());
    List<ReplayResult.Outcome> outcomes = new ArrayList<>();
    for (List<DeadLetterFiles.Entry> same : sameRecords(entries).values()) {
      outcomes.add(checks.replay(same));
    }
    ReplayResult result = new ReplayResult(id, files, entries.size(), outcomes, failedDir + "/dead-letters.jsonl", dryRun);
    if (!dryRun) {
      write(result);
    }
    return result;
  }

  private void write(ReplayResult result) throws IOException {
    // rows first: every source's rows are inserted and checked before any is committed, and nothing
    // else is written unless all were committed
    insertAll(result.jdbcRows());
    for (Map.Entry<String, List<String>> f : result.replayFiles().entrySet()) {
      ReplayFiles.write(f.getKey(), f.getValue());
    }
    for (Map.Entry<String, List<byte[]>> f : result.avroFiles().entrySet()) {
      String source = result.outcomes().stream()
          .filter(o -> f.getKey().equals(o.destination())).findFirst().orElseThrow().original().source();
      AvroRecords.writeFile(f.getKey(), new AvroRecords(repository.source(source)).schema(), f.getValue());
    }
    for (Map.Entry<String, List<byte[]>> t : result.messages().entrySet()) {
      String[] at = t.getKey().split(" ", 2); // "<bootstrap> <topic>"
      try (ProduceLines out = ProduceLines.to(at[0], at[1])) {
        for (byte[] m : t.getValue()) {
          out.send(m, null);
        }
        out.flush();
      }
    }
    List<String> failed = new ArrayList<>();
    for (DeadLetter d : result.newDeadLetters()) {
      failed.add(WriteDeadLetters.toJson(d));
    }
    if (!failed.isEmpty()) {
      ReplayFiles.write(result.failedFile(), failed);
    }
  }

  /**
   * Inserts each JDBC source's records into the table, one transaction per source, and checks before
   * committing any that each source's query for their dates now returns every one of them (else
   * rolls all back: a table the query does not read would leave them unread, and a replay again
   * would insert them again). The transactions are then committed one after the other; should a
   * commit fail, the error names the sources already committed.
   */
  private void insertAll(Map<String, List<SourceRecord>> rowsBySource) throws IOException {
    Map<String, SourceDatabase> open = new LinkedHashMap<>();
    Map<String, Integer> committed = new LinkedHashMap<>();
    String current = null;
    try {
      for (Map.Entry<String, List<SourceRecord>> rows : rowsBySource.entrySet()) {
        current = rows.getKey();
        SourceDatabase db = SourceDatabase.open(repository.source(current));
        open.put(current, db);
        insert(repository.source(current), db, rows.getValue());
      }
      for (Map.Entry<String, SourceDatabase> db : open.entrySet()) {
        current = db.getKey();
        db.getValue().commit();
        committed.put(current, rowsBySource.get(current).size());
      }
    } catch (Exception e) {
      for (Map.Entry<String, SourceDatabase> db : open.entrySet()) {
        if (!committed.containsKey(db.getKey())) {
          try {
            db.getValue().rollback();
          } catch (Exception suppressed) {
            e.addSuppressed(suppressed);
          }
        }
      }
      String done = committed.isEmpty()
          ? "nothing was inserted"
          : "already committed into " + jdbcTable + ": " + committed.entrySet().stream()
              .map(c -> c.getKey() + " (" + c.getValue() + " rows)").collect(java.util.stream.Collectors.joining(", "))
              + "; nothing else was inserted";
      String message = "source '" + current + "': inserting into " + jdbcTable + " failed (" + done
          + "; no replay file, message or new dead-letter file was written): " + e.getMessage();
      if (e instanceof IllegalStateException || e instanceof IllegalArgumentException) {
        throw new IllegalStateException(message, e);
      }
      throw new IOException(message, e);
    } finally {
      for (SourceDatabase db : open.values()) {
        try {
          db.close();
        } catch (Exception ignored) {
          // closing after a commit or rollback: nothing is lost
        }
      }
    }
  }

  /** Inserts a source's records in its open transaction and checks that its query returns them. */
  private void insert(SourceDef source, SourceDatabase db, List<SourceRecord> records) throws Exception {
    db.insert(jdbcTable, records);
    TreeSet<LocalDate> dates = new TreeSet<>();
    records.forEach(r -> dates.add(Instant.ofEpochMilli(r.eventTimeMillis()).atZone(ZoneOffset.UTC).toLocalDate()));
    List<SourceRecord> read = new ArrayList<>();
    for (SourceDatabase.Row row : db.rows(dates.first(), dates.last())) {
      if (row.decoded().record() != null) {
        read.add(row.decoded().record());
      }
    }
    for (SourceRecord r : records) {
      if (read.stream().noneMatch(x -> ReplayChecks.same(x, r))) {
        throw new IllegalStateException("the source's query does not return " + r + " after inserting it: name a table"
            + " the query reads (or make the query read " + jdbcTable + ")");
      }
    }
  }

  /** Letters of the same record (source, origin, payload) together, in the order first read. */
  private static Map<List<String>, List<DeadLetterFiles.Entry>> sameRecords(List<DeadLetterFiles.Entry> entries) {
    Map<List<String>, List<DeadLetterFiles.Entry>> out = new LinkedHashMap<>();
    for (DeadLetterFiles.Entry e : entries) {
      DeadLetter d = e.letter();
      out.computeIfAbsent(List.of(d.source(), d.origin(), d.payload()), k -> new ArrayList<>()).add(e);
    }
    return out;
  }

  private static String defaultFailedOutput(String firstFile, String id) {
    String dir = firstFile.substring(0, Math.max(0, firstFile.lastIndexOf('/')));
    String parent = dir.substring(0, Math.max(0, dir.lastIndexOf('/')));
    return (parent.isEmpty() ? "." : parent) + "/replay-" + id;
  }

  private static String hash(List<DeadLetterFiles.Entry> entries) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      TreeMap<String, Boolean> sorted = new TreeMap<>();
      for (DeadLetterFiles.Entry e : entries) {
        sorted.put(WriteDeadLetters.toJson(e.letter()), true);
      }
      for (String s : sorted.keySet()) {
        sha.update(s.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
