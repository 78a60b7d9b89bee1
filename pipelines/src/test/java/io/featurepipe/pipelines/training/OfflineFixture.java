package io.featurepipe.pipelines.training;

import io.featurepipe.sinks.offline.OfflineRecords;
import io.featurepipe.sinks.offline.WriteOffline;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.compute.ComputeFeatures;
import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.record.SourceRecordCoder;
import io.featurepipe.transforms.testing.FlinkBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;

/** Test helpers: a repository from YAML, a backfill into an offline store, a training set's records. */
final class OfflineFixture {
  private OfflineFixture() {}

  static FeatureRepository load(String yaml) {
    try {
      return RepositoryLoader.load(Map.of("defs.yaml", yaml));
    } catch (DefinitionException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** A DirectRunner pipeline with its checks of element immutability and encodability on. */
  static Pipeline direct() {
    PipelineOptions o = PipelineOptionsFactory.fromArgs("--runner=DirectRunner", "--targetParallelism=2").create();
    return Pipeline.create(o);
  }

  /**
   * A DirectRunner pipeline without those checks, for backfills: ComputeFeatures' own tests run
   * with them, and per-key timers make many small bundles, each of which the checks walk the
   * whole graph for.
   */
  static Pipeline fastDirect() {
    DirectOptions o = PipelineOptionsFactory.fromArgs("--runner=DirectRunner", "--targetParallelism=2").as(DirectOptions.class);
    o.setEnforceImmutability(false);
    o.setEnforceEncodability(false);
    return Pipeline.create(o);
  }

  /**
   * Computes the groups over the records of one source and writes and publishes the offline
   * partitions of [from, to].
   */
  static void backfill(
      FeatureRepository repo, String source, List<SourceRecord> records, String root, LocalDate from, LocalDate to) {
    Pipeline p = fastDirect();
    List<TimestampedValue<SourceRecord>> timed = new ArrayList<>();
    records.forEach(r -> timed.add(TimestampedValue.of(r, new Instant(r.eventTimeMillis()))));
    PCollection<SourceRecord> events = p.apply("Events", Create.timestamped(timed).withCoder(SourceRecordCoder.of()));
    List<String> groups = new ArrayList<>();
    repo.groupsOf(source).forEach(g -> groups.add(g.name()));
    PCollection<FeatureRow> rows =
        PCollectionTuple.of(ComputeFeatures.sourceTag(source), events)
            .apply("ComputeFeatures", ComputeFeatures.of(repo).withGroups(groups))
            .rows();
    rows.apply("WriteOffline", WriteOffline.of(repo, root, "test", groups, from, to));
    p.run().waitUntilFinish();
  }

  /** Every row of the groups' published offline files under {@code root}. */
  static List<FeatureRow> offlineRows(FeatureRepository repo, String root) {
    List<FeatureRow> out = new ArrayList<>();
    for (FeatureGroupDef g : repo.allGroups()) {
      OfflineRecords records = new OfflineRecords(g, repo.entity(g.entity()));
      Path dir = Path.of(root, g.name(), g.versionTag());
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.filter(f -> f.toString().endsWith(".avro")).toList()) {
          try (DataFileReader<GenericRecord> r = new DataFileReader<>(f.toFile(), new GenericDatumReader<>(null, records.schema()))) {
            r.forEach(rec -> out.add(records.fromAvro(rec)));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** A pipeline on an embedded Flink mini-cluster (batch as featurepipe runs it, parallelism 2). */
  static Pipeline flink() {
    return Pipeline.create(FlinkBatch.options(2));
  }

  static PipelineResult run(Pipeline p) {
    PipelineResult r = p.run();
    r.waitUntilFinish();
    return r;
  }

  /** The records of a training set's part files. */
  static List<GenericRecord> readTrainingSet(String dir) {
    List<GenericRecord> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of(dir))) {
      for (Path f : files.filter(f -> f.getFileName().toString().matches("part-\\d+\\.avro")).sorted().toList()) {
        try (DataFileReader<GenericRecord> r = new DataFileReader<>(f.toFile(), new GenericDatumReader<>())) {
          r.forEach(out::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
