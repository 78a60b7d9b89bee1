package io.featurepipe.pipelines.backfill;

import io.featurepipe.pipelines.ingest.ReadSource;
import io.featurepipe.pipelines.ingest.SourcePaths;
import io.featurepipe.sinks.deadletter.WriteDeadLetters;
import io.featurepipe.sinks.files.JsonLinesFormat;
import io.featurepipe.sinks.files.WritePartitionedFiles;
import io.featurepipe.sinks.offline.Publication;
import io.featurepipe.sinks.offline.WriteOffline;
import io.featurepipe.transforms.compute.ComputeFeatures;
import io.featurepipe.transforms.compute.FeatureOutputs;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * A backfill (DESIGN §4, §5): the feature transform run bounded over a range of dates, writing
 * offline partitions. For {@code --from D1 --to D2} it reads the events with {@code ts} in
 * {@code [D1 - longest window, D2 + 1 day)} (each source with the longest window of the groups
 * that read it), computes every chosen group with {@link ComputeFeatures}, and writes and publishes
 * exactly the partitions of dates D1..D2 ({@link WriteOffline}); partitions outside the range are
 * never touched, and a rerun of the range replaces its partitions with the same records.
 *
 * <p>Files are selected through {@code {date}} in a source's path: the days from the one holding
 * {@code D1 - longest window} to D2 (a day's file is expected to hold that day's events; events of
 * other days found in it are filtered by time). Every rejected record goes to dead letters under
 * the run's dead-letter folder; counters {@code records_read_<source>},
 * {@code records_outside_range_<source>}, {@code partitions_published},
 * {@code offline_rows_published} and {@code dead_letters} tell the outcome.
 *
 * <pre>{@code
 * Backfill.Outputs out = Backfill.build(pipeline, new Backfill.Spec(repo, "data/", from, to,
 *     List.of(), "offline/", WriteOffline.newRunId(), null));
 * pipeline.run().waitUntilFinish();
 * }</pre>
 */
public final class Backfill {

  /**
   * What to backfill.
   *
   * @param dataRoot the folder (or URL) the sources' bounded paths are relative to
   * @param groups the groups to compute; empty for all
   * @param deadLetterRoot where dead letters go; null for {@code <offlineRoot>/_dead_letters/run-<id>}
   */
  public record Spec(
      FeatureRepository repository,
      String dataRoot,
      LocalDate from,
      LocalDate to,
      Collection<String> groups,
      String offlineRoot,
      String runId,
      String deadLetterRoot) {

    public Spec {
      Objects.requireNonNull(repository, "repository");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(offlineRoot, "offlineRoot");
      Objects.requireNonNull(runId, "runId");
      if (to.isBefore(from)) {
        throw new IllegalArgumentException("--to " + to + " is before --from " + from);
      }
      groups = groups == null ? List.of() : List.copyOf(groups);
      for (String g : groups) {
        repository.group(g);
      }
    }

    /** The groups this run computes, in definition order. */
    public List<String> chosenGroups() {
      List<String> out = new ArrayList<>();
      for (FeatureGroupDef g : repository.allGroups()) {
        if (groups.isEmpty() || groups.contains(g.name())) {
          out.add(g.name());
        }
      }
      return out;
    }

    public String deadLetters() {
      return deadLetterRoot != null
          ? deadLetterRoot
          : stripSlash(offlineRoot) + "/_dead_letters/run-" + runId;
    }
  }

  /** What the graph produces: the feature rows, the publications and every rejected record. */
  public record Outputs(
      PCollection<FeatureRow> rows,
      PCollection<Publication> published,
      PCollection<DeadLetter> deadLetters) {}

  private Backfill() {}

  /** Adds the backfill to a pipeline. */
  public static Outputs build(Pipeline pipeline, Spec spec) {
    List<String> groups = spec.chosenGroups();
    ComputeFeatures compute = ComputeFeatures.of(spec.repository()).withGroups(groups);
    PCollectionTuple sources = PCollectionTuple.empty(pipeline);
    List<PCollection<DeadLetter>> dead = new ArrayList<>();
    for (String name : compute.sources()) {
      EventRange range = EventRange.of(spec.repository(), name, groups, spec.from(), spec.to());
      PCollectionTuple read =
          pipeline.apply(
              "ReadSource/" + name,
              ReadSource.of(
                  spec.repository().source(name), spec.dataRoot(), range.firstFileDay(), spec.to()));
      PCollection<SourceRecord> inRange =
          read.get(ReadSource.RECORDS)
              .apply("SelectEventRange/" + name, ParDo.of(new SelectRangeFn(name, range)))
              .setCoder(read.get(ReadSource.RECORDS).getCoder());
      sources = sources.and(ComputeFeatures.sourceTag(name), inRange);
      dead.add(read.get(ReadSource.DEAD_LETTERS));
    }
    FeatureOutputs out = sources.apply("ComputeFeatures", compute);
    dead.add(out.deadLetters());
    dead.add(out.lateEvents());
    PCollection<Publication> published =
        out.rows()
            .apply(
                "WriteOffline",
                WriteOffline.of(
                    spec.repository(), spec.offlineRoot(), spec.runId(), groups, spec.from(), spec.to()));
    PCollection<DeadLetter> allDead =
        PCollectionList.of(dead).apply("FlattenDeadLetters", Flatten.pCollections());
    allDead
        .apply("CountDeadLetters", ParDo.of(new CountFn()))
        .setCoder(DeadLetter.Coder.of())
        .apply("DeadLettersAsJson", MapElements.into(TypeDescriptors.strings()).via(WriteDeadLetters::toJson))
        .setCoder(StringUtf8Coder.of())
        .apply(
            "WriteDeadLetters",
            WritePartitionedFiles.to(spec.deadLetters(), "dead-letters", new JsonLinesFormat(), d -> ""));
    return new Outputs(out.rows(), published, allDead);
  }

  /**
   * The days of the range with no input file, per source whose path names {@code {date}}, as
   * readable warnings ("no file for source payments on 2026-01-05: payments/2026-01-05.jsonl").
   * Days before {@code from} (the lookback) are not checked: data may start within the range.
   */
  public static List<String> missingInputs(Spec spec) throws java.io.IOException {
    List<String> out = new ArrayList<>();
    ComputeFeatures compute = ComputeFeatures.of(spec.repository()).withGroups(spec.chosenGroups());
    for (String name : compute.sources()) {
      var source = spec.repository().source(name);
      if (source.bounded() == null
          || !"path".equals(source.bounded().kind())
          || !source.bounded().get("path").contains("{date}")) {
        continue;
      }
      List<String> patterns = SourcePaths.patterns(source, spec.dataRoot(), spec.from(), spec.to());
      LocalDate day = spec.from();
      for (String pattern : patterns) {
        MatchResult m = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
        if (m.status() == MatchResult.Status.NOT_FOUND
            || (m.status() == MatchResult.Status.OK && m.metadata().isEmpty())) {
          out.add("no file for source " + name + " on " + day + ": " + pattern);
        }
        day = day.plusDays(1);
      }
    }
    return out;
  }

  /**
   * The event times a source contributes to a backfill of {@code [from, to]}: from {@code from}
   * minus the longest window of the groups reading it, to the end of {@code to}.
   */
  public record EventRange(long startMillis, long endMillis) implements java.io.Serializable {

    static EventRange of(
        FeatureRepository repo, String source, List<String> groups, LocalDate from, LocalDate to) {
      Duration longest = Duration.ZERO;
      for (String g : groups) {
        FeatureGroupDef def = repo.group(g);
        if (def.source().equals(source) && def.longestWindow().compareTo(longest) > 0) {
          longest = def.longestWindow();
        }
      }
      long start = startOfDay(from) - longest.toMillis();
      return new EventRange(start, startOfDay(to.plusDays(1)));
    }

    /** The first day whose files may hold events of the range. */
    LocalDate firstFileDay() {
      return java.time.Instant.ofEpochMilli(startMillis).atZone(java.time.ZoneOffset.UTC).toLocalDate();
    }

    boolean contains(long tsMillis) {
      return tsMillis >= startMillis && tsMillis < endMillis;
    }

    private static long startOfDay(LocalDate d) {
      return d.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
    }
  }

  /** Keeps the records of a source's event range; counts the others (they are not errors). */
  static final class SelectRangeFn extends DoFn<SourceRecord, SourceRecord> {
    private final EventRange range;
    private final Counter outside;

    SelectRangeFn(String source, EventRange range) {
      this.range = range;
      this.outside = Metrics.counter("featurepipe", "records_outside_range_" + source);
    }

    @ProcessElement
    public void process(@Element SourceRecord r, OutputReceiver<SourceRecord> out) {
      if (range.contains(r.eventTimeMillis())) {
        out.output(r);
      } else {
        outside.inc();
      }
    }
  }

  static final class CountFn extends DoFn<DeadLetter, DeadLetter> {
    private final Counter count = Metrics.counter("featurepipe", "dead_letters");

    @ProcessElement
    public void process(@Element DeadLetter d, OutputReceiver<DeadLetter> out) {
      count.inc();
      out.output(d);
    }
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
