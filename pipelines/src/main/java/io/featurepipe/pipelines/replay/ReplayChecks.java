package io.featurepipe.pipelines.replay;

import io.featurepipe.pipelines.replay.ReplayResult.Outcome;
import io.featurepipe.pipelines.replay.ReplayResult.Verdict;
import io.featurepipe.transforms.compute.CompiledGroup;
import io.featurepipe.transforms.compute.GroupPreparer;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.expr.ExpressionException;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.model.SourceFormat;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.validation.check.CheckFailure;
import io.featurepipe.validation.check.RecordChecker;
import io.featurepipe.validation.check.TimeBounds;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Decides what happens to one dead-lettered record: the same decoding ({@link ReplayDecoder}),
 * record checks ({@link RecordChecker}, for records going back to a stream) and per-group
 * preparation ({@link GroupPreparer}: filter, derived columns, keys) the pipelines apply, with the
 * current definitions; then where it goes and as which line ({@link SourceLines}) or Avro datum
 * ({@link AvroRecords}), checked to read back to the same values. A record that passes and is
 * still in its input (the line or Avro record at its origin, a row of its JDBC source's query for
 * its date: {@link DatabaseRows}) is not written: a backfill rerun reads it.
 */
final class ReplayChecks {
  private static final List<String> RECORD_STEPS =
      List.of("ReadSourceFiles/", "ReadKafka/", "ReadFolder/", "ReadPubsub/", "ReadAvroFiles/",
          "ReadJdbc/", "CheckRecords/", "PrepareGroups/", "ClassifyLateness/");
  private static final String PREPARE = "PrepareGroups/";

  private final FeatureRepository repository;
  private final Replay.Target target;
  private final String root;
  private final boolean separateRoot;
  private final String kafkaBootstrap;
  private final String replayId;
  private final String jdbcTable;
  private final OriginLines origins;
  private final AvroOrigins avroOrigins;
  private final DatabaseRows rows = new DatabaseRows();
  private final Map<String, PerSource> sources = new HashMap<>();

  /** What is compiled once per source. */
  private record PerSource(
      SourceDef def, ReplayDecoder decoder, RecordDecoder json, SourceLines lines,
      RecordChecker checker, List<GroupPreparer> preparers) {}

  ReplayChecks(
      FeatureRepository repository, Replay.Target target, String root, boolean separateRoot,
      String kafkaBootstrap, String replayId, String jdbcTable, Collection<String> letterOrigins) {
    this.origins = new OriginLines(letterOrigins);
    this.avroOrigins = new AvroOrigins(letterOrigins);
    this.jdbcTable = jdbcTable;
    this.repository = repository;
    this.target = target;
    this.root = root;
    this.separateRoot = separateRoot;
    this.kafkaBootstrap = kafkaBootstrap;
    this.replayId = replayId;
  }

  /** The outcome of the letters of one record (same source, origin and payload). */
  Outcome replay(List<DeadLetterFiles.Entry> same) {
    DeadLetter d = same.get(0).letter();
    int letters = same.size();
    SourceDef def = repository.sources().get(d.source());
    if (def == null) {
      return Outcome.notReplayed(d, letters, "source '" + d.source() + "' is not in the repository");
    }
    if (RECORD_STEPS.stream().noneMatch(d.step()::startsWith)) {
      return Outcome.notReplayed(d, letters, "step '" + d.step() + "' rejects no source record");
    }
    String partial = partialRejection(def, same);
    if (partial != null) {
      return Outcome.notReplayed(d, letters, partial);
    }
    Replay.Target to = target(def, d);
    String unusable = unusable(def, to);
    if (unusable != null) {
      return Outcome.notReplayed(d, letters, unusable);
    }
    if (d.step().startsWith("ReadAvroFiles/") && d.payload().isEmpty()) {
      return Outcome.notReplayed(d, letters, "the file could not be read at " + d.origin()
          + " (no record to replay): fix or replace the file and rerun the backfill of its dates");
    }
    PerSource s = sources.computeIfAbsent(def.name(), n -> compile(def));
    SourceRecord record;
    try {
      record = s.decoder().decode(d);
    } catch (BadRecordException e) {
      return Outcome.failed(d, letters, List.of(new DeadLetter(d.source(), d.step(), e.getMessage(), d.payload(), d.origin())));
    }
    List<DeadLetter> rejected = new ArrayList<>();
    if (to == Replay.Target.KAFKA) {
      List<CheckFailure> failures = s.checker().check(record);
      if (!failures.isEmpty()) {
        String reason = failures.stream().map(CheckFailure::toString).collect(Collectors.joining("; "));
        return Outcome.failed(d, letters, List.of(letter(s, "CheckRecords/" + def.name(), reason, record, d)));
      }
    }
    Map<String, Object> cel = GroupPreparer.celColumns(def, record);
    for (GroupPreparer p : s.preparers()) {
      try {
        p.prepare(record, cel);
      } catch (BadRecordException e) {
        rejected.add(letter(s, PREPARE + p.group().name(), e.getMessage(), record, d));
      }
    }
    if (!s.preparers().isEmpty() && rejected.size() == s.preparers().size()) {
      return Outcome.failed(d, letters, rejected);
    }
    LocalDate date = Instant.ofEpochMilli(record.eventTimeMillis()).atZone(ZoneOffset.UTC).toLocalDate();
    if (to == Replay.Target.FILES) {
      SourceRecord then = atOrigin(s, d);
      if (same(then, record) || (!avroOrigin(s, d) && d.payload().equals(origins.line(d.origin())))) {
        return Outcome.rerun(d, letters, record,
            "passes now and is unchanged and still at " + d.origin() + ": a backfill rerun of " + date + " reads it again");
      }
      if (then != null && usedByAGroup(s, then) && passesItsStep(s, d, then)) {
        LocalDate thenDate = Instant.ofEpochMilli(then.eventTimeMillis()).atZone(ZoneOffset.UTC).toLocalDate();
        return Outcome.rerun(d, letters, then,
            "its edited payload was not written: the record at " + d.origin() + " passes now too and a backfill rerun of "
                + thenDate + " reads it, so both would count; to use the edit, correct the record in its file");
      }
    }
    if (to == Replay.Target.JDBC) {
      return database(s, d, letters, record, date, rejected);
    }
    String line;
    byte[] bytes = null;
    try {
      SourceRecord back;
      if (def.format() == SourceFormat.AVRO) {
        byte[] original = to == Replay.Target.KAFKA ? ReplayDecoder.binary(d.payload()) : null;
        // a message that was never read as a datum goes back as it was; the others are encoded
        bytes = original != null ? original : s.decoder().avro().datum(record);
        line = s.json().toJson(record);
        back = s.decoder().avro().read(bytes, "");
      } else {
        line = s.lines().line(record);
        back = s.decoder().decodeRaw(line, null);
      }
      if (!same(back, record)) {
        throw new BadRecordException("reads back as " + back + " instead of " + record);
      }
    } catch (BadRecordException e) {
      return Outcome.failed(d, letters, List.of(letter(s, "Replay/" + def.name(),
          "cannot be written back in the source's format unchanged: " + e.getMessage(), record, d)));
    }
    if (to == Replay.Target.KAFKA) {
      String bootstrap = kafkaBootstrap != null ? kafkaBootstrap : def.unbounded().get("bootstrap");
      return Outcome.replayed(d, letters, "kafka " + bootstrap + " " + def.unbounded().get("topic"), null, line,
          bytes, record, rejected);
    }
    String file;
    try {
      file = ReplayFiles.path(def, root, date, replayId, separateRoot);
    } catch (IllegalArgumentException e) {
      return Outcome.notReplayed(d, letters, e.getMessage());
    }
    return Outcome.replayed(d, letters, file, s.lines() == null ? null : s.lines().header(), line, bytes, record, rejected);
  }

  /** Where a record of this letter goes: the target asked for, or what its origin and source say. */
  private Replay.Target target(SourceDef def, DeadLetter d) {
    if (target != Replay.Target.AUTO) {
      return target;
    }
    if (d.origin() != null && d.origin().startsWith("kafka:")) {
      return Replay.Target.KAFKA;
    }
    return def.bounded() != null && "jdbc".equals(def.bounded().kind()) ? Replay.Target.JDBC : Replay.Target.FILES;
  }

  /**
   * A record of a JDBC source that passes now: a row of its query for its date that reads to the
   * same record (or is the dead-lettered row itself) means a rerun reads it; else it goes into the
   * JDBC table when one is named, and is not replayed when none is.
   */
  private Outcome database(
      PerSource s, DeadLetter d, int letters, SourceRecord record, LocalDate date, List<DeadLetter> rejected) {
    DatabaseRows.Match found = rows.find(s.def(), date, d.payload(), record);
    if (found != null) {
      if (found.row().decoded().record() == null) {
        // the backfill reads the row with the column types, not from the payload's text: its verdict holds
        DeadLetter now = found.row().decoded().deadLetter();
        return Outcome.failed(d, letters, List.of(new DeadLetter(d.source(), now.step(), now.reason(), d.payload(), d.origin())));
      }
      return Outcome.rerun(d, letters, record, "passes now and the source's query still returns it (" + found.where()
          + "): a backfill rerun of " + date + " reads it again");
    }
    if (jdbcTable == null) {
      return Outcome.notReplayed(d, letters, "passes now, but the source's query returns no such row for " + date
          + " (its payload was changed): pass --jdbc-table TABLE, a table the query reads, to insert it");
    }
    return Outcome.replayed(d, letters, "jdbc " + jdbcTable, null, s.json().toJson(record), null, record, rejected);
  }

  /**
   * Why letters that only {@code PrepareGroups} wrote must not be replayed: the record was used by
   * the source's other groups; null when every group of the source rejected it (or another step
   * rejected it whole).
   */
  private String partialRejection(SourceDef def, List<DeadLetterFiles.Entry> same) {
    Set<String> rejectedBy = new TreeSet<>();
    for (DeadLetterFiles.Entry e : same) {
      if (!e.letter().step().startsWith(PREPARE)) {
        return null;
      }
      rejectedBy.add(e.letter().step().substring(PREPARE.length()));
    }
    Set<String> usedBy = new TreeSet<>();
    for (FeatureGroupDef g : repository.groupsOf(def.name())) {
      if (!rejectedBy.contains(g.name())) {
        usedBy.add(g.name());
      }
    }
    if (usedBy.isEmpty()) {
      return null;
    }
    return "only " + String.join(", ", rejectedBy) + " rejected it and " + String.join(", ", usedBy)
        + " used it: replaying it would count it twice there; rerun the backfill (and materialize)"
        + " of its date after fixing the definition";
  }

  /** Why records of a source cannot go to a target, or null. */
  private String unusable(SourceDef def, Replay.Target to) {
    if (to != Replay.Target.JDBC && !SourceLines.writable(def) && def.format() != SourceFormat.AVRO) {
      return "source '" + def.name() + "' is " + def.format().yamlName() + ": replay writes jsonl, csv and avro only";
    }
    if (to == Replay.Target.JDBC && (def.bounded() == null || !"jdbc".equals(def.bounded().kind()))) {
      return "source '" + def.name() + "' reads no JDBC database";
    }
    if (to == Replay.Target.FILES && (def.bounded() == null || !"path".equals(def.bounded().kind()))) {
      return "source '" + def.name() + "' has no bounded path to write replay files for";
    }
    if (to == Replay.Target.KAFKA && (def.unbounded() == null || !"kafka".equals(def.unbounded().kind()))) {
      return "source '" + def.name() + "' reads no Kafka topic to replay to";
    }
    if (to == Replay.Target.KAFKA && kafkaBootstrap == null && def.unbounded().get("bootstrap") == null) {
      return "source '" + def.name() + "' names no Kafka bootstrap: pass --kafka-bootstrap";
    }
    return null;
  }

  /**
   * The record at the letter's origin (the line, or the Avro record) as a backfill rerun decodes it
   * now; null when it is gone or fails to decode.
   */
  private SourceRecord atOrigin(PerSource s, DeadLetter d) {
    try {
      if (avroOrigin(s, d)) {
        return s.decoder().atAvroOrigin(d.origin());
      }
      String original = origins.line(d.origin());
      return original == null ? null : s.decoder().decodeRaw(original, d.origin());
    } catch (BadRecordException e) {
      return null;
    }
  }

  /**
   * Whether the step that rejected the letter would now accept the record at its origin: the
   * decoding and the groups' preparation are checked by the caller; record checks are run here;
   * lateness (streams only) cannot be judged from a file, so never.
   */
  private static boolean passesItsStep(PerSource s, DeadLetter d, SourceRecord then) {
    if (d.step().startsWith("ClassifyLateness/")) {
      return false;
    }
    return !d.step().startsWith("CheckRecords/") || s.checker().check(then).isEmpty();
  }

  private static boolean avroOrigin(PerSource s, DeadLetter d) {
    return s.def().format() == SourceFormat.AVRO && AvroOrigins.file(d.origin()) != null;
  }

  /** Whether a group of the source (or the source without groups) would use the record (not filter it out). */
  private static boolean usedByAGroup(PerSource s, SourceRecord record) {
    if (s.preparers().isEmpty()) {
      return true;
    }
    Map<String, Object> cel = GroupPreparer.celColumns(s.def(), record);
    for (GroupPreparer p : s.preparers()) {
      try {
        if (p.prepare(record, cel) != null) {
          return true;
        }
      } catch (BadRecordException e) {
        // this group rejects it; another may not
      }
    }
    return false;
  }

  /** Whether two records have the same event time and values (wherever they were read). */
  static boolean same(SourceRecord a, SourceRecord b) {
    return a != null && b != null && a.eventTimeNanos() == b.eventTimeNanos() && Arrays.deepEquals(a.values(), b.values());
  }

  private static DeadLetter letter(PerSource s, String step, String reason, SourceRecord record, DeadLetter was) {
    return new DeadLetter(was.source(), step, reason, s.json().toJson(record), was.origin());
  }

  private PerSource compile(SourceDef def) {
    List<GroupPreparer> preparers = new ArrayList<>();
    for (FeatureGroupDef g : repository.groupsOf(def.name())) {
      try {
        preparers.add(new GroupPreparer(CompiledGroup.of(repository, g), repository.entity(g.entity()).keys()));
      } catch (ExpressionException e) {
        throw new IllegalStateException("group '" + g.name() + "': " + e.getMessage(), e);
      }
    }
    return new PerSource(
        def, new ReplayDecoder(def, origins, avroOrigins), new RecordDecoder(def),
        SourceLines.writable(def) ? new SourceLines(def) : null,
        new RecordChecker(repository, def.name(), TimeBounds.none()), preparers);
  }
}
