package io.featurepipe.pipelines.compute;

import io.featurepipe.pipelines.ingest.ReadSourceFiles;
import io.featurepipe.pipelines.ingest.SourcePaths;
import io.featurepipe.sinks.deadletter.WriteDeadLetters;
import io.featurepipe.sinks.json.FeatureRowJson;
import io.featurepipe.transforms.compute.ComputeFeatures;
import io.featurepipe.transforms.compute.FeatureOutputs;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.FeatureRow;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import io.featurepipe.sinks.files.JsonLinesFormat;
import io.featurepipe.sinks.files.WritePartitionedFiles;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * A bounded feature computation over the files of a repository's sources: read and decode them,
 * run {@link ComputeFeatures}, and write the feature rows as JSON lines with the dead letters
 * beside them. Counters {@code rows_<group>} and {@code dead_letters} tell the outcome.
 *
 * <p>Layout under the output directory: {@code features/<group>/rows-*.jsonl} (explicit empty rows
 * are omitted, as in the offline store), {@code dead-letters/dead-letters-*.jsonl}.
 */
public final class BoundedFeatures {

  /** What to compute: a repository, where its files are, an optional date range and groups. */
  public record Spec(
      FeatureRepository repository,
      String dataRoot,
      LocalDate from,
      LocalDate to,
      Collection<String> groups,
      String outputDir) {}

  private BoundedFeatures() {}

  /** Adds the computation to a pipeline. */
  public static void build(Pipeline pipeline, Spec spec) {
    ComputeFeatures compute = ComputeFeatures.of(spec.repository());
    if (spec.groups() != null && !spec.groups().isEmpty()) {
      compute = compute.withGroups(spec.groups());
    }
    PCollectionTuple sources = PCollectionTuple.empty(pipeline);
    List<PCollection<DeadLetter>> dead = new ArrayList<>();
    for (String name : compute.sources()) {
      var source = spec.repository().source(name);
      PCollectionTuple read =
          pipeline.apply(
              "ReadSourceFiles/" + name,
              new ReadSourceFiles(
                  source, SourcePaths.patterns(source, spec.dataRoot(), spec.from(), spec.to())));
      sources = sources.and(ComputeFeatures.sourceTag(name), read.get(ReadSourceFiles.RECORDS));
      dead.add(read.get(ReadSourceFiles.DEAD_LETTERS));
    }
    FeatureOutputs out = sources.apply("ComputeFeatures", compute);
    dead.add(out.deadLetters());
    dead.add(out.lateEvents());
    FeatureRowJson json = new FeatureRowJson(spec.repository());
    out.rows()
        .apply("FormatRows", ParDo.of(new FormatRowFn(json)))
        .setCoder(StringUtf8Coder.of())
        .apply(
            "WriteRows",
            WritePartitionedFiles.to(
                spec.outputDir() + "/features", "rows", new JsonLinesFormat(), BoundedFeatures::groupOfJson));
    PCollectionList.of(dead)
        .apply("FlattenDeadLetters", Flatten.pCollections())
        .apply("CountDeadLetters", ParDo.of(new CountFn()))
        .setCoder(DeadLetter.Coder.of())
        .apply("DeadLettersAsJson", MapElements.into(TypeDescriptors.strings()).via(WriteDeadLetters::toJson))
        .apply(
            "WriteDeadLetters",
            WritePartitionedFiles.to(spec.outputDir() + "/dead-letters", "dead-letters", new JsonLinesFormat(), d -> ""));
  }

  /** The group of a row formatted by {@link FeatureRowJson} (its first field). */
  static String groupOfJson(String json) {
    int start = json.indexOf(":\"") + 2;
    return json.substring(start, json.indexOf('"', start));
  }

  static final class FormatRowFn extends DoFn<FeatureRow, String> {
    private final FeatureRowJson json;

    FormatRowFn(FeatureRowJson json) {
      this.json = json;
    }

    @ProcessElement
    public void process(@Element FeatureRow row, OutputReceiver<String> out) {
      if (!row.empty()) {
        Metrics.counter("featurepipe", "rows_" + row.group()).inc();
        out.output(json.toJson(row));
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
}
