package io.featurepipe.validation.testing;

import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.validation.anomalies.ValidateStatistics;
import io.featurepipe.validation.anomalies.ValidationOptions;
import io.featurepipe.validation.columns.DatasetKind;
import io.featurepipe.validation.output.ValidationFiles;
import io.featurepipe.validation.output.ValidationLayout;
import io.featurepipe.validation.schema.SchemaFromDefinitions;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.metadata.v0.Anomalies;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;
import org.tensorflow.metadata.v0.DatasetFeatureStatisticsList;
import org.tensorflow.metadata.v0.Schema;

/**
 * Validates sample payments against a baseline without a pipeline and writes the validation
 * layout (the payments source and every payments group's input), as a bounded run would.
 */
public final class SampleRun {
  private SampleRun() {}

  /** Writes statistics (and, with a baseline root, schema and anomalies) under root; returns anomalies by dataset label. */
  public static Map<String, Anomalies> write(
      FeatureRepository repo, List<SourceRecord> records, String root, String baselineRoot) throws IOException {
    Map<String, Anomalies> out = new LinkedHashMap<>();
    one(out, "payments", DatasetKind.SOURCE, SamplePayments.sourceStatistics(repo.source("payments"), records),
        SchemaFromDefinitions.forSource(repo.source("payments")), root, baselineRoot);
    for (FeatureGroupDef g : repo.groupsOf("payments")) {
      one(out, g.name(), DatasetKind.GROUP_INPUT, SamplePayments.groupInputStatistics(repo, g, records),
          SchemaFromDefinitions.forGroupInput(repo, g), root, baselineRoot);
    }
    return out;
  }

  private static void one(
      Map<String, Anomalies> out, String name, DatasetKind kind, DatasetFeatureStatistics stats, Schema schema,
      String root, String baselineRoot) throws IOException {
    String dir = ValidationLayout.directory(root, name, kind);
    ValidationFiles.writeStatistics(ValidationLayout.join(dir, ValidationLayout.STATS),
        DatasetFeatureStatisticsList.newBuilder().addDatasets(stats).build());
    ValidationOptions options = ValidationOptions.defaults();
    if (baselineRoot != null) {
      String b = ValidationLayout.join(ValidationLayout.directory(baselineRoot, name, kind), ValidationLayout.STATS);
      options = options.withBaseline(ValidationFiles.readStatistics(b).getDatasets(0));
    }
    Anomalies anomalies = ValidateStatistics.validate(stats, schema, options);
    ValidationFiles.writeSchema(ValidationLayout.join(dir, ValidationLayout.SCHEMA), schema);
    ValidationFiles.writeAnomalies(ValidationLayout.join(dir, ValidationLayout.ANOMALIES), anomalies);
    out.put(name + "/" + kind.folder(), anomalies);
  }
}
