package io.featurepipe.validation.testing;

import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.validation.columns.DatasetColumns;
import io.featurepipe.validation.columns.ExampleValues;
import io.featurepipe.validation.columns.GroupRows;
import io.featurepipe.validation.stats.DatasetAccumulator;
import io.featurepipe.validation.stats.StatisticsCombineFn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;

/** The sample feature repository and payments (feature-defs/payments, test-data/sample), and statistics over them without a pipeline. */
public final class SamplePayments {
  public static final Path REPOSITORY = Path.of("..", "feature-defs", "payments");
  public static final Path SAMPLE = Path.of("..", "test-data", "sample");

  private SamplePayments() {}

  public static FeatureRepository repository() {
    try {
      return RepositoryLoader.load(REPOSITORY);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The valid payments of days [from, to] of January 2026 (malformed lines skipped). */
  public static List<SourceRecord> payments(FeatureRepository repository, int fromDay, int toDay) {
    RecordDecoder decoder = new RecordDecoder(repository.source("payments"));
    List<SourceRecord> out = new ArrayList<>();
    for (int day = fromDay; day <= toDay; day++) {
      String file = String.format("2026-01-%02d.jsonl", day);
      List<String> lines;
      try {
        lines = Files.readAllLines(SAMPLE.resolve("payments").resolve(file), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      for (int i = 0; i < lines.size(); i++) {
        try {
          out.add(decoder.fromJson(lines.get(i), file + ":" + (i + 1)));
        } catch (BadRecordException e) {
          // malformed sample lines are the decoder's business
        }
      }
    }
    return out;
  }

  /** Statistics of a source's records. */
  public static DatasetFeatureStatistics sourceStatistics(SourceDef source, List<SourceRecord> records) {
    StatisticsCombineFn<SourceRecord> fn = StatisticsCombineFn.of(DatasetColumns.ofSource(source), ExampleValues.sourceRecords());
    DatasetAccumulator acc = fn.createAccumulator();
    records.forEach(r -> fn.addInput(acc, r));
    return fn.extractOutput(acc);
  }

  /** Statistics of a group's input rows. */
  public static DatasetFeatureStatistics groupInputStatistics(
      FeatureRepository repository, FeatureGroupDef group, List<SourceRecord> records) {
    GroupRows rows = new GroupRows(repository, group);
    StatisticsCombineFn<Object[]> fn = StatisticsCombineFn.of(rows.columns(), ExampleValues.rows());
    DatasetAccumulator acc = fn.createAccumulator();
    for (SourceRecord r : records) {
      try {
        Object[] row = rows.row(r);
        if (row != null) {
          fn.addInput(acc, row);
        }
      } catch (BadRecordException e) {
        // counted by the pipeline; nothing to do here
      }
    }
    return fn.extractOutput(acc);
  }

  /** Input statistics of every group of the payments source, by group name. */
  public static Map<String, DatasetFeatureStatistics> groupInputs(FeatureRepository repository, List<SourceRecord> records) {
    Map<String, DatasetFeatureStatistics> out = new LinkedHashMap<>();
    for (FeatureGroupDef g : repository.groupsOf("payments")) {
      out.put(g.name(), groupInputStatistics(repository, g, records));
    }
    return out;
  }
}
