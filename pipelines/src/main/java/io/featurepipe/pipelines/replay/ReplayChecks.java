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
 * current definitions; then where it goes and as which line ({@link SourceLines}, checked to read
 * back to the same values).
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
  private final OriginLines origins = new OriginLines();
  private final Map<String, PerSource> sources = new HashMap<>();

  /** What is compiled once per source. */
  private record PerSource(
      SourceDef def, ReplayDecoder decoder, RecordDecoder json, SourceLines lines,
      RecordChecker checker, List<GroupPreparer> preparers) {}

  ReplayChecks(
      FeatureRepository repository, Replay.Target target, String root, boolean separateRoot,
      String kafkaBootstrap, String replayId) {
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
    Replay.Target to = target != Replay.Target.AUTO ? target
        : d.origin() != null && d.origin().startsWith("kafka:") ? Replay.Target.KAFKA : Replay.Target.FILES;
    String unusable = unusable(def, to);
    if (unusable != null) {
      return Outcome.notReplayed(d, letters, unusable);
    }
    PerSource s = sources.computeIfAbsent(def.name(), n -> compile(def));
    SourceRecord record;
    try {
      record = s.decoder().decode(d);
    } catch (BadRecordException e) {
      return Outcome.failed(d, letters, List.of(new DeadLetter(d.source(), d.step(), e.getMessage(), d.payload(), d.origin())));
    }
    if (to == Replay.Target.FILES && stillInItsInput(s, d, record)) {
      return Outcome.notReplayed(
          d, letters, "unchanged and still at " + d.origin() + ": a backfill rerun of its date reads it again");
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
    String line = s.lines().line(record);
    try {
      SourceRecord back = s.decoder().decodeRaw(line, null);
      if (back.eventTimeNanos() != record.eventTimeNanos() || !Arrays.deepEquals(back.values(), record.values())) {
        throw new BadRecordException("reads back as " + back + " instead of " + record);
      }
    } catch (BadRecordException e) {
      return Outcome.failed(d, letters, List.of(letter(s, "Replay/" + def.name(),
          "cannot be written back in the source's format unchanged: " + e.getMessage(), record, d)));
    }
    if (to == Replay.Target.KAFKA) {
      String bootstrap = kafkaBootstrap != null ? kafkaBootstrap : def.unbounded().get("bootstrap");
      return Outcome.replayed(d, letters, "kafka " + bootstrap + " " + def.unbounded().get("topic"), null, line,
          record.eventTimeNanos(), rejected);
    }
    LocalDate date = Instant.ofEpochMilli(record.eventTimeMillis()).atZone(ZoneOffset.UTC).toLocalDate();
    String file;
    try {
      file = ReplayFiles.path(def, root, date, replayId, separateRoot);
    } catch (IllegalArgumentException e) {
      return Outcome.notReplayed(d, letters, e.getMessage());
    }
    return Outcome.replayed(d, letters, file, s.lines().header(), line, record.eventTimeNanos(), rejected);
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
    if (!SourceLines.writable(def)) {
      return "source '" + def.name() + "' is " + def.format().yamlName() + ": replay writes jsonl and csv only";
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

  /** Whether the line at the letter's origin is its payload, or reads to the same values. */
  private boolean stillInItsInput(PerSource s, DeadLetter d, SourceRecord record) {
    String original = origins.line(d.origin());
    if (original == null) {
      return false;
    }
    if (original.equals(d.payload())) {
      return true;
    }
    try {
      SourceRecord then = s.decoder().decodeRaw(original, d.origin());
      return then.eventTimeNanos() == record.eventTimeNanos() && Arrays.deepEquals(then.values(), record.values());
    } catch (BadRecordException e) {
      return false;
    }
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
        def, new ReplayDecoder(def, origins), new RecordDecoder(def), new SourceLines(def),
        new RecordChecker(repository, def.name(), TimeBounds.none()), preparers);
  }
}
