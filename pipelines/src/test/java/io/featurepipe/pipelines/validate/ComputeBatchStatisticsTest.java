package io.featurepipe.pipelines.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.validation.columns.Column;
import io.featurepipe.validation.columns.DatasetColumns;
import io.featurepipe.validation.stats.DatasetAccumulator;
import io.featurepipe.validation.stats.StatisticsCombineFn;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The partial statistics of a bounded run's bundles, whether sent as loose examples (small
 * bundles) or as accumulators, merge to exactly the statistics of one combine over every example.
 */
class ComputeBatchStatisticsTest {
  static final Path DEFS = Path.of("../feature-defs/payments");

  @Test
  void loosePartialsAndAccumulatedPartialsMergeToTheStatisticsOfOneCombine() throws Exception {
    FeatureRepository repo = RepositoryLoader.load(DEFS);
    for (DatasetColumns columns : List.of(
        DatasetColumns.ofSource(repo.source("payments")),
        DatasetColumns.ofGroupFeatures(repo, repo.group("user_spend")),
        DatasetColumns.ofGroupFeatures(repo, repo.group("user_logins")))) {
      String label = columns.label();
      ComputeBatchStatistics.Combiners combiners = new ComputeBatchStatistics.Combiners(Map.of(label, columns));
      Random rnd = new Random(label.hashCode());
      List<Object[]> examples = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        examples.add(example(columns, rnd));
      }

      StatisticsCombineFn<Object[]> fn = combiners.fn(label);
      DatasetAccumulator whole = fn.createAccumulator();
      for (Object[] e : examples) {
        whole = fn.addInput(whole, e);
      }
      String expected = combiners.extract(label, whole).toString();

      // bundles of 1 to 80 examples: below and above the loose limit; shuffled onto shards
      List<byte[]> partials = new ArrayList<>();
      int loose = 0;
      for (int i = 0; i < examples.size(); ) {
        int n = Math.min(examples.size() - i, 1 + rnd.nextInt(80));
        ComputeBatchStatistics.Combiners.Partial p = combiners.partial(label);
        examples.subList(i, i + n).forEach(p::add);
        byte[] bytes = combiners.encode(label, p);
        loose += bytes[0] == 'E' ? 1 : 0;
        partials.add(bytes);
        i += n;
      }
      assertTrue(loose > 5 && loose < partials.size() - 5, loose + " loose of " + partials.size());
      Collections.shuffle(partials, rnd);
      List<byte[]> shards = new ArrayList<>();
      for (int s = 0; s < 4; s++) {
        shards.add(combiners.encode(label, combiners.merge(label, partials.subList(s * partials.size() / 4, (s + 1) * partials.size() / 4))));
      }
      assertEquals(expected, combiners.extract(label, combiners.merge(label, shards)).toString(), label);
    }
  }

  @Test
  void anUnknownPartialIsRefused() throws Exception {
    FeatureRepository repo = RepositoryLoader.load(DEFS);
    DatasetColumns columns = DatasetColumns.ofSource(repo.source("logins"));
    ComputeBatchStatistics.Combiners combiners = new ComputeBatchStatistics.Combiners(Map.of(columns.label(), columns));
    IOException e = assertThrows(IOException.class, () -> combiners.merge(columns.label(), List.of(new byte[] {'X'})));
    assertTrue(e.getMessage().contains("unknown form"), e.getMessage());
  }

  private static Object[] example(DatasetColumns columns, Random rnd) {
    Object[] out = new Object[columns.size()];
    for (int c = 0; c < out.length; c++) {
      Column col = columns.columns().get(c);
      if (rnd.nextInt(10) == 0) {
        continue; // missing
      }
      Object v = switch (col.type()) {
        case STRING -> "v" + rnd.nextInt(col.list() ? 5 : 300);
        case INT64, TIMESTAMP -> (long) rnd.nextInt(1000) - 100;
        case DOUBLE -> rnd.nextGaussian() * 50;
        case BOOL -> rnd.nextBoolean();
      };
      out[c] = col.list() ? List.of(v, v) : v;
    }
    return out;
  }
}
