package io.featurepipe.validation.check;

import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.validation.expect.Expectations;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Checks each record of a source ({@link RecordChecker}: types, required fields, event-time
 * bounds, and the record-level {@code expect} rules of the source's groups). Records that pass go
 * on unchanged; a record that fails goes whole to the dead-letter output, with every failed check
 * and its value in the reason. Counted in the {@code featurepipe} namespace: {@code
 * records_checked_<source>}, {@code records_rejected_<source>} and {@code
 * record_check_<check>_<source>} per failed check.
 *
 * <pre>{@code
 * CheckedRecords checked = records.apply("CheckRecords/payments",
 *     CheckRecords.of(repository, "payments").withTimeBounds(TimeBounds.defaults()));
 * checked.valid().apply(...);            // into ComputeFeatures
 * checked.deadLetters().apply(...);      // into the dead-letter output
 * }</pre>
 */
public final class CheckRecords extends PTransform<PCollection<SourceRecord>, CheckedRecords> {
  /** The checks a failure can name. */
  public static final List<String> CHECKS =
      List.of("type", "required", "range", "domain", "regex", "future_timestamp", "past_timestamp");

  private final FeatureRepository repository;
  private final String source;
  private final TimeBounds bounds;

  private CheckRecords(FeatureRepository repository, String source, TimeBounds bounds) {
    this.repository = repository;
    this.source = source;
    this.bounds = bounds;
  }

  /**
   * @throws IllegalArgumentException when the source is unknown or an {@code expect} section of
   *     its groups is wrong (every mistake listed)
   */
  public static CheckRecords of(FeatureRepository repository, String source) {
    repository.source(source);
    repository.groupsOf(source).forEach(g -> Expectations.of(repository, g));
    return new CheckRecords(repository, source, TimeBounds.defaults());
  }

  public CheckRecords withTimeBounds(TimeBounds newBounds) {
    if (newBounds == null) {
      throw new IllegalArgumentException("time bounds must not be null (use TimeBounds.none())");
    }
    return new CheckRecords(repository, source, newBounds);
  }

  @Override
  public CheckedRecords expand(PCollection<SourceRecord> records) {
    PCollectionTuple out =
        records.apply(
            "Check",
            ParDo.of(new CheckFn(repository, source, bounds))
                .withOutputTags(CheckedRecords.VALID, TupleTagList.of(CheckedRecords.REJECTED)));
    out.get(CheckedRecords.VALID).setCoder(records.getCoder());
    out.get(CheckedRecords.REJECTED).setCoder(DeadLetter.Coder.of());
    return new CheckedRecords(out);
  }

  private static final class CheckFn extends DoFn<SourceRecord, SourceRecord> {
    private final FeatureRepository repository;
    private final String source;
    private final TimeBounds bounds;
    private final Counter checked;
    private final Counter rejected;
    private final Map<String, Counter> perCheck = new HashMap<>();
    private transient RecordChecker checker;
    private transient RecordDecoder json;

    CheckFn(FeatureRepository repository, String source, TimeBounds bounds) {
      this.repository = repository;
      this.source = source;
      this.bounds = bounds;
      this.checked = Metrics.counter("featurepipe", "records_checked_" + source);
      this.rejected = Metrics.counter("featurepipe", "records_rejected_" + source);
      for (String c : CHECKS) {
        perCheck.put(c, Metrics.counter("featurepipe", "record_check_" + c + "_" + source));
      }
    }

    @Setup
    public void setup() {
      checker = new RecordChecker(repository, source, bounds);
      json = new RecordDecoder(repository.source(source));
    }

    @ProcessElement
    public void process(@Element SourceRecord record, MultiOutputReceiver out) {
      checked.inc();
      List<CheckFailure> failures = checker.check(record);
      if (failures.isEmpty()) {
        out.get(CheckedRecords.VALID).output(record);
        return;
      }
      rejected.inc();
      failures.stream().map(CheckFailure::check).distinct().forEach(c -> perCheck.get(c).inc());
      String payload;
      try {
        payload = json.toJson(record);
      } catch (RuntimeException e) {
        payload = record.toString(); // a record of the wrong types cannot be written as the source's JSON
      }
      out.get(CheckedRecords.REJECTED)
          .output(
              new DeadLetter(
                  source,
                  "CheckRecords/" + source,
                  failures.stream().map(CheckFailure::toString).collect(Collectors.joining("; ")),
                  payload,
                  record.origin()));
    }
  }
}
