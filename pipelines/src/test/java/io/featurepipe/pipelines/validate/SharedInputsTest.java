package io.featurepipe.pipelines.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.metrics.Counters;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.record.SourceRecordCoder;
import io.featurepipe.validation.columns.DatasetColumns;
import io.featurepipe.validation.columns.DatasetKind;
import io.featurepipe.validation.output.ValidationFiles;
import io.featurepipe.validation.output.ValidationLayout;
import io.featurepipe.validation.stats.ComputeStatistics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;
import org.tensorflow.metadata.v0.DatasetFeatureStatisticsList;

/**
 * Groups whose input rows are another dataset's (no filter: the source's; an earlier group's
 * filter and derived columns) are not accumulated again, and their statistics are still exactly
 * those of their own input rows, under their own name; a record whose expressions fail is counted
 * as skipped for every group that shares them.
 */
class SharedInputsTest {
  static final String DEFS = """
      kind: source
      name: events
      format: jsonl
      timestamp: ts
      timestamp_format: iso8601
      fields:
        - {name: ts, type: timestamp, required: true}
        - {name: user, type: string, required: true}
        - {name: amount, type: double}
        - {name: tag, type: string}
      bounded: {path: "events/*.jsonl"}
      ---
      kind: entity
      name: user
      keys: [{name: user, type: string}]
      """
      + group("plain", null, null)
      + group("big", "amount > 10.0", null)
      + group("big_too", "amount > 10.0", null)
      + group("big_doubled", "amount > 10.0", "amount * 2.0")
      + group("tagged_doubled", "tag != 'z'", "amount * 2.0")
      + group("tagged_doubled_too", "tag != 'z'", "amount * 2.0")
      + group("tagged_tripled", "tag != 'z'", "amount * 3.0");

  static String group(String name, String filter, String doubled) {
    return "---\nkind: feature_group\nname: " + name + "\nentity: user\nsource: events\nkeys: {user: user}\n"
        + (filter == null ? "" : "filter: \"" + filter + "\"\n")
        + (doubled == null ? "" : "derive: {x: \"" + doubled + "\"}\n")
        + "hop: 1h\nttl: 1d\nfeatures:\n  - {name: n, agg: count, window: 1h}\n";
  }

  static final LocalDate DAY = LocalDate.parse("2026-03-02");

  @Test
  void groupsShareTheInputOfTheSourceOrOfAnEarlierGroupWithTheSameFilterAndDerivedColumns() throws Exception {
    FeatureRepository repo = RepositoryLoader.load(Map.of("defs.yaml", DEFS));
    List<String> all = RunInfo.chosenGroups(repo, List.of());
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("plain", "events/source");
    expected.put("big_too", "big/input");
    expected.put("tagged_doubled_too", "tagged_doubled/input");
    assertEquals(expected, DatasetExamples.sharedInputs(repo, "events", all));
    // only the groups of the run count: without big, big_too has its own input
    assertEquals(Map.of(), DatasetExamples.sharedInputs(repo, "events", List.of("big_too", "big_doubled")));
    assertEquals(Map.of(), DatasetExamples.sharedInputs(repo, "other", all));
  }

  @Test
  void sharedInputsHaveTheStatisticsOfTheirOwnRows(@TempDir Path dir) throws Exception {
    FeatureRepository repo = RepositoryLoader.load(Map.of("defs.yaml", DEFS));
    List<String> groups = RunInfo.chosenGroups(repo, List.of());
    Random rnd = new Random(20261202);
    long day0 = Instant.parse(DAY + "T00:00:00Z").getEpochSecond() * 1_000_000_000L;
    List<TimestampedValue<SourceRecord>> records = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      long ts = day0 + (long) (rnd.nextDouble() * 86_400e9);
      Double amount = rnd.nextInt(8) == 0 ? null : rnd.nextDouble() * 20;
      String tag = rnd.nextInt(6) == 0 ? null : "xyz".substring(i % 3, i % 3 + 1);
      SourceRecord r = new SourceRecord("events", ts, new Object[] {ts, "u" + rnd.nextInt(40), amount, tag}, "");
      records.add(TimestampedValue.of(r, new org.joda.time.Instant(r.eventTimeMillis())));
    }
    String out = dir.resolve("validation").toString();

    DirectOptions o = PipelineOptionsFactory.fromArgs("--runner=DirectRunner", "--targetParallelism=2").as(DirectOptions.class);
    Pipeline p = Pipeline.create(o);
    PCollection<SourceRecord> events = p.apply("Events", Create.timestamped(records).withCoder(SourceRecordCoder.of()));
    PCollection<FeatureRow> noRows = p.apply("NoRows", Create.empty(FeatureRow.Coder.of()));
    ValidateBatch.input(Map.of("events", events), noRows)
        .apply("Validate", ValidateBatch.of(repo, new RunInfo("r1", "test", DAY, DAY, groups),
            BatchValidation.defaults().withOutputRoot(out)));
    // the reference: each dataset's own combine over the same records
    String reference = dir.resolve("reference").toString();
    events.apply("SourceStatistics", ComputeStatistics.ofSource(repo.source("events")))
        .apply("WriteSource", ParDo.of(new WriteFn(ValidationLayout.directory(reference, "events", DatasetKind.SOURCE))));
    for (String g : groups) {
      events.apply("InputStatistics/" + g, ComputeStatistics.ofGroupInput(repo, repo.group(g)))
          .apply("Write/" + g, ParDo.of(new WriteFn(ValidationLayout.directory(reference, g, DatasetKind.GROUP_INPUT))));
    }
    PipelineResult result = p.run();
    result.waitUntilFinish();

    assertEquals(read(reference, "events", DatasetKind.SOURCE), read(out, "events", DatasetKind.SOURCE));
    for (String g : groups) {
      DatasetFeatureStatistics actual = read(out, g, DatasetKind.GROUP_INPUT);
      assertEquals(read(reference, g, DatasetKind.GROUP_INPUT), actual, g);
      assertEquals(g, actual.getName());
    }
    assertTrue(read(out, "big_too", DatasetKind.GROUP_INPUT).getNumExamples() < 3_000);
    // a null amount fails "amount * 2.0" (and "* 3.0") in every tagged group, shared or not
    long skipped = skipped(result, "tagged_doubled");
    assertTrue(skipped > 50, "skipped " + skipped);
    assertEquals(skipped, skipped(result, "tagged_doubled_too"));
    assertEquals(skipped, skipped(result, "tagged_tripled"));
    // a null amount fails "amount > 10.0" too: counted for both groups of that filter
    assertTrue(skipped(result, "big") > 50);
    assertEquals(skipped(result, "big"), skipped(result, "big_too"));
    assertEquals(0, skipped(result, "plain"));
  }

  @Test
  void aSharedDatasetMustHaveTheSameColumns() throws Exception {
    FeatureRepository repo = RepositoryLoader.load(Map.of("defs.yaml", DEFS));
    Map<String, DatasetColumns> columns = new LinkedHashMap<>();
    columns.put("big/input", DatasetColumns.ofGroupInput(repo, repo.group("big")));
    columns.put("big_doubled/input", DatasetColumns.ofGroupInput(repo, repo.group("big_doubled")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ComputeBatchStatistics(columns, Map.of("big_doubled/input", "big/input")));
    assertTrue(e.getMessage().contains("other columns"), e.getMessage());
  }

  private static DatasetFeatureStatistics read(String root, String name, DatasetKind kind) throws IOException {
    DatasetFeatureStatisticsList list =
        ValidationFiles.readStatistics(ValidationLayout.join(ValidationLayout.directory(root, name, kind), ValidationLayout.STATS));
    assertEquals(1, list.getDatasetsCount(), name);
    return list.getDatasets(0);
  }

  private static long skipped(PipelineResult result, String group) {
    return Counters.of(result).getOrDefault("validation_rows_skipped_" + group, 0L);
  }

  static final class WriteFn extends DoFn<DatasetFeatureStatisticsList, Void> {
    private final String folder;

    WriteFn(String folder) {
      this.folder = folder;
    }

    @ProcessElement
    public void process(@Element DatasetFeatureStatisticsList stats) throws IOException {
      ValidationFiles.writeStatistics(ValidationLayout.join(folder, ValidationLayout.STATS), stats);
    }
  }
}
