package io.featurepipe.pipelines.validate;

import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.validation.columns.DatasetKind;
import io.featurepipe.validation.columns.ExampleValues;
import io.featurepipe.validation.columns.GroupRows;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * What an element of a bounded run contributes to its validation datasets: zero or more {@code
 * (dataset label, example values)}, values in the order of the dataset's columns. Serializable; it
 * runs inside a DoFn, which calls {@link #setup()} before the first element.
 *
 * @param <T> the element type
 */
abstract class DatasetExamples<T> implements Serializable {

  /** Prepares what cannot be serialized (compiled expressions). */
  void setup() {}

  abstract void of(T element, BiConsumer<String, Object[]> out);

  /**
   * A source's records whose event time is in {@code [start, end)}: its {@code source} dataset
   * (every field), and the {@code input} dataset of each group that reads it (the records its
   * filter keeps, with its derived columns, as {@link GroupRows} evaluates them; a record whose
   * expressions fail is left out and counted as {@code validation_rows_skipped_<group>}, feature
   * computation dead-letters it). The input datasets of {@link #sharedInputs} are not given: their
   * statistics are those of the dataset they share.
   */
  static DatasetExamples<SourceRecord> ofSource(
      FeatureRepository repository, String source, List<String> groups, long start, long end) {
    return new SourceExamples(repository, source, groups, start, end);
  }

  /**
   * The groups of a source whose input dataset is not accumulated on its own, each with the label
   * of the dataset whose statistics it has (but for its name). A group without filter, derived
   * columns or custom logic has the source's records as its input rows: the source's dataset. A
   * group whose filter and derived columns are an earlier group's (neither with custom logic) has
   * that group's input rows. Groups of one source often share a filter, and each input dataset
   * costs a pass over every record's columns.
   */
  static Map<String, String> sharedInputs(FeatureRepository repository, String source, List<String> groups) {
    Map<String, String> out = new LinkedHashMap<>();
    List<FeatureGroupDef> own = new ArrayList<>();
    for (String g : groups) {
      FeatureGroupDef def = repository.group(g);
      if (!def.source().equals(source)) {
        continue;
      }
      if (def.custom() == null && def.filter() == null && def.derive().isEmpty()) {
        out.put(g, ValidateBatch.label(source, DatasetKind.SOURCE));
        continue;
      }
      FeatureGroupDef same = def.custom() != null
          ? null
          : own.stream().filter(o -> o.custom() == null && sameInput(o, def)).findFirst().orElse(null);
      if (same != null) {
        out.put(g, ValidateBatch.label(same.name(), DatasetKind.GROUP_INPUT));
      } else {
        own.add(def);
      }
    }
    return out;
  }

  /**
   * The same filter and the same derived columns, in the same order (groups of one source without
   * custom logic: their types follow from the expressions).
   */
  private static boolean sameInput(FeatureGroupDef a, FeatureGroupDef b) {
    return Objects.equals(a.filter(), b.filter())
        && List.copyOf(a.derive().entrySet()).equals(List.copyOf(b.derive().entrySet()));
  }

  /** The non-empty rows of the groups whose window ends in {@code [start, end)}: their {@code features} datasets. */
  static DatasetExamples<FeatureRow> ofFeatures(List<String> groups, long start, long end) {
    return new FeatureExamples(groups, start, end);
  }

  private static final class SourceExamples extends DatasetExamples<SourceRecord> {
    private final FeatureRepository repository;
    private final String source;
    private final List<String> groups;
    private final long start;
    private final long end;
    private final String sourceLabel;
    private final List<String> inputLabels;
    /** For each group in {@link #groups}: the groups whose input rows are its own, itself first. */
    private final List<List<String>> sharing;
    private transient List<GroupRows> rows;
    private transient List<List<Counter>> skipped;

    SourceExamples(FeatureRepository repository, String source, List<String> groups, long start, long end) {
      this.repository = repository;
      this.source = source;
      Map<String, String> shared = sharedInputs(repository, source, groups);
      List<String> own = new ArrayList<>();
      List<List<String>> sharing = new ArrayList<>();
      for (String g : groups) {
        if (repository.group(g).source().equals(source) && !shared.containsKey(g)) {
          own.add(g);
          String label = ValidateBatch.label(g, DatasetKind.GROUP_INPUT);
          List<String> same = new ArrayList<>(List.of(g));
          shared.forEach((other, of) -> {
            if (of.equals(label)) {
              same.add(other);
            }
          });
          sharing.add(same);
        }
      }
      this.groups = List.copyOf(own);
      this.sharing = sharing;
      this.start = start;
      this.end = end;
      this.sourceLabel = ValidateBatch.label(source, DatasetKind.SOURCE);
      this.inputLabels = this.groups.stream().map(g -> ValidateBatch.label(g, DatasetKind.GROUP_INPUT)).toList();
    }

    @Override
    void setup() {
      rows = new ArrayList<>();
      skipped = new ArrayList<>();
      for (int i = 0; i < groups.size(); i++) {
        rows.add(new GroupRows(repository, repository.group(groups.get(i))));
        skipped.add(sharing.get(i).stream()
            .map(g -> Metrics.counter("featurepipe", "validation_rows_skipped_" + g)).toList());
      }
    }

    @Override
    void of(SourceRecord record, BiConsumer<String, Object[]> out) {
      long ts = record.eventTimeMillis();
      if (ts < start || ts >= end) {
        return;
      }
      out.accept(sourceLabel, record.values());
      for (int i = 0; i < groups.size(); i++) {
        try {
          Object[] row = rows.get(i).row(record);
          if (row != null) {
            out.accept(inputLabels.get(i), row);
          }
        } catch (BadRecordException e) {
          skipped.get(i).forEach(Counter::inc);
        }
      }
    }
  }

  private static final class FeatureExamples extends DatasetExamples<FeatureRow> {
    private final Map<String, String> labels = new HashMap<>();
    private final long start;
    private final long end;

    FeatureExamples(List<String> groups, long start, long end) {
      groups.forEach(g -> labels.put(g, ValidateBatch.label(g, DatasetKind.GROUP_FEATURES)));
      this.start = start;
      this.end = end;
    }

    @Override
    void of(FeatureRow row, BiConsumer<String, Object[]> out) {
      String label = labels.get(row.group());
      if (label != null && !row.empty() && row.windowEndMillis() >= start && row.windowEndMillis() < end) {
        out.accept(label, ExampleValues.featureRows().of(row));
      }
    }
  }
}
