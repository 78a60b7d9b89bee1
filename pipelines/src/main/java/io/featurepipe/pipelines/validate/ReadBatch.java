package io.featurepipe.pipelines.validate;

import io.featurepipe.pipelines.ingest.ReadSource;
import io.featurepipe.transforms.compute.ComputeFeatures;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.validation.check.CheckRecords;
import io.featurepipe.validation.check.CheckedRecords;
import io.featurepipe.validation.check.TimeBounds;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * Reads the records of a bounded run over days {@code from..to} ({@code backfill}, {@code
 * validate}): for every source the chosen groups read, the events with {@code ts} in {@code [from -
 * longest window of those groups, to + 1 day)} ({@link EventRange}), so the first day's windows are
 * complete; with {@link #withRecordChecks} each record then goes through {@link CheckRecords}
 * (types, required fields, event time within the range, the groups' per-record {@code expect}
 * rules), which routes the bad ones to dead letters before feature computation.
 *
 * <p>Files are selected through {@code {date}} in a source's path: the days from the one holding
 * the range's start to {@code to}; events of other days found in them are left out and counted as
 * {@code records_outside_range_<source>} (they are not errors).
 *
 * <pre>{@code
 * BatchRecords records = pipeline.apply("ReadBatch",
 *     ReadBatch.of(repository, "data/", groups, from, to).withRecordChecks(true));
 * FeatureOutputs out = records.valid().apply("ComputeFeatures", ComputeFeatures.of(repository).withGroups(groups));
 * }</pre>
 */
public final class ReadBatch extends PTransform<PBegin, BatchRecords> {
  private final FeatureRepository repository;
  private final String dataRoot;
  private final List<String> groups;
  private final LocalDate from;
  private final LocalDate to;
  private final boolean check;

  private ReadBatch(
      FeatureRepository repository, String dataRoot, List<String> groups, LocalDate from, LocalDate to, boolean check) {
    this.repository = repository;
    this.dataRoot = dataRoot;
    this.groups = groups;
    this.from = from;
    this.to = to;
    this.check = check;
  }

  /** Reads (without record checks) the sources of {@code groups} for a run over days {@code from..to}. */
  public static ReadBatch of(
      FeatureRepository repository, String dataRoot, List<String> groups, LocalDate from, LocalDate to) {
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("--to " + to + " is before --from " + from);
    }
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("a bounded run needs at least one feature group");
    }
    groups.forEach(repository::group);
    return new ReadBatch(repository, dataRoot, List.copyOf(groups), from, to, false);
  }

  /** Whether each record goes through {@link CheckRecords} (bad ones to dead letters). */
  public ReadBatch withRecordChecks(boolean newCheck) {
    return new ReadBatch(repository, dataRoot, groups, from, to, newCheck);
  }

  /** The sources read, in the order feature computation names them. */
  public List<String> sources() {
    return ComputeFeatures.of(repository).withGroups(groups).sources();
  }

  @Override
  public BatchRecords expand(PBegin begin) {
    BatchRecords.Builder out = new BatchRecords.Builder(begin.getPipeline());
    for (String name : sources()) {
      EventRange range = EventRange.of(repository, name, groups, from, to);
      PCollectionTuple read =
          begin.apply("ReadSource/" + name,
              ReadSource.of(repository.source(name), dataRoot, range.firstFileDay(), to));
      PCollection<SourceRecord> records = read.get(ReadSource.RECORDS);
      PCollection<SourceRecord> inRange =
          records.apply("SelectEventRange/" + name, ParDo.of(new SelectRangeFn(name, range)))
              .setCoder(records.getCoder());
      out.read(name, inRange).deadLetters(name + "/read", read.get(ReadSource.DEAD_LETTERS));
      if (check) {
        CheckedRecords checked =
            inRange.apply("CheckRecords/" + name,
                CheckRecords.of(repository, name)
                    .withTimeBounds(TimeBounds.defaults()
                        .withRange(Instant.ofEpochMilli(range.startMillis()), Instant.ofEpochMilli(range.endMillis()))));
        out.valid(name, checked.valid()).deadLetters(name + "/check", checked.deadLetters());
      }
    }
    return out.build();
  }

  /**
   * The event times a source contributes to a run over days {@code [from, to]}: from {@code from}
   * minus the longest window of the groups reading it, to the end of {@code to}.
   *
   * @param startMillis first event time read (inclusive)
   * @param endMillis end of the range (exclusive)
   */
  public record EventRange(long startMillis, long endMillis) implements Serializable {

    public static EventRange of(
        FeatureRepository repo, String source, List<String> groups, LocalDate from, LocalDate to) {
      Duration longest = Duration.ZERO;
      for (String g : groups) {
        FeatureGroupDef def = repo.group(g);
        if (def.source().equals(source) && def.longestWindow().compareTo(longest) > 0) {
          longest = def.longestWindow();
        }
      }
      return new EventRange(startOfDay(from) - longest.toMillis(), startOfDay(to.plusDays(1)));
    }

    /** The first day whose files may hold events of the range. */
    public LocalDate firstFileDay() {
      return Instant.ofEpochMilli(startMillis).atZone(ZoneOffset.UTC).toLocalDate();
    }

    public boolean contains(long tsMillis) {
      return tsMillis >= startMillis && tsMillis < endMillis;
    }

    private static long startOfDay(LocalDate d) {
      return d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
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
}
