package io.featurepipe.pipelines.validate;

import io.featurepipe.transforms.compute.ComputeFeatures;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.validation.tuple.TupleOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/**
 * The output of {@link ReadBatch}: per source the records read in the event range (unchecked) and
 * those that passed the record checks, and the dead letters of reading and checking.
 */
public final class BatchRecords extends TupleOutput {
  private final List<String> sources;
  private final boolean checked;

  private BatchRecords(PCollectionTuple tuple, List<String> sources, boolean checked) {
    super(tuple);
    this.sources = List.copyOf(sources);
    this.checked = checked;
  }

  /** The sources read. */
  public List<String> sources() {
    return sources;
  }

  /** The records of a source's event range as read, before record checks. */
  public PCollection<SourceRecord> read(String source) {
    return tuple.get(readTag(source));
  }

  /** Every source's records as read, by source name. */
  public Map<String, PCollection<SourceRecord>> readBySource() {
    Map<String, PCollection<SourceRecord>> out = new LinkedHashMap<>();
    sources.forEach(s -> out.put(s, read(s)));
    return out;
  }

  /** The records that passed the checks (all records read when checks are off), tagged for {@link ComputeFeatures}. */
  public PCollectionTuple valid() {
    PCollectionTuple out = PCollectionTuple.empty(tuple.getPipeline());
    for (String s : sources) {
      out = out.and(ComputeFeatures.sourceTag(s), checked ? tuple.get(validTag(s)) : read(s));
    }
    return out;
  }

  /** Records that could not be read and records that failed a check. */
  public List<PCollection<DeadLetter>> deadLetters() {
    List<PCollection<DeadLetter>> out = new ArrayList<>();
    tuple.getAll().forEach((tag, pc) -> {
      if (tag.getId().startsWith("dead/")) {
        @SuppressWarnings("unchecked")
        PCollection<DeadLetter> d = (PCollection<DeadLetter>) pc;
        out.add(d);
      }
    });
    return out;
  }

  private static TupleTag<SourceRecord> readTag(String source) {
    return new TupleTag<>("read/" + source);
  }

  private static TupleTag<SourceRecord> validTag(String source) {
    return new TupleTag<>("valid/" + source);
  }

  /** Collects the outputs while {@link ReadBatch} expands. */
  static final class Builder {
    private PCollectionTuple tuple;
    private final List<String> sources = new ArrayList<>();
    private boolean checked;

    Builder(Pipeline pipeline) {
      this.tuple = PCollectionTuple.empty(pipeline);
    }

    Builder read(String source, PCollection<SourceRecord> records) {
      sources.add(source);
      tuple = tuple.and(readTag(source), records);
      return this;
    }

    Builder valid(String source, PCollection<SourceRecord> records) {
      checked = true;
      tuple = tuple.and(validTag(source), records);
      return this;
    }

    Builder deadLetters(String name, PCollection<DeadLetter> deadLetters) {
      tuple = tuple.and(new TupleTag<DeadLetter>("dead/" + name), deadLetters);
      return this;
    }

    BatchRecords build() {
      return new BatchRecords(tuple, sources, checked);
    }
  }
}
