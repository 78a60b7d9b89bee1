package io.featurepipe.pipelines.backfill;

import io.featurepipe.sinks.offline.OfflineStore;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import java.nio.file.Path;
import java.util.List;
import io.featurepipe.transforms.testing.FlinkBatch;
import org.apache.beam.sdk.Pipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same backfill on the Flink runner (embedded mini-cluster, batch as featurepipe runs it: the
 * DataStream API in BATCH mode): the same published rows.
 */
class BackfillFlinkIT {

  @Test
  void backfillOnFlinkPublishesTheReferenceRows(@TempDir Path dir) throws Exception {
    BackfillTest.repo = RepositoryLoader.load(BackfillTest.DEFS);
    String root = dir.resolve("offline").toString();
    List<String> groups = List.of("user_spend", "user_logins");
    Pipeline p = Pipeline.create(FlinkBatch.options(2));
    Backfill.build(
        p,
        new Backfill.Spec(
            BackfillTest.repo, BackfillTest.DATA.toString(), BackfillTest.D1, BackfillTest.D2,
            groups, root, "flink", null));
    p.run().waitUntilFinish();
    var rows = BackfillTest.published(new OfflineStore(BackfillTest.repo, root), groups, "flink");
    for (String g : groups) {
      BackfillTest.assertMatchesReference(g, rows);
    }
  }
}
