package io.featurepipe.sinks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.sinks.offline.OfflineLayout;
import io.featurepipe.transforms.testing.Collected;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.junit.jupiter.api.Test;

/**
 * {@code RequestBuckets} gathers a spine's buckets, partitions and lookups per bundle: summed and
 * made distinct downstream they are exactly the spine rows per bucket, the partitions holding
 * their window ends and every lookup, however often a bundle had to send what it held.
 */
class RequestBucketsTest {
  private static final long START = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

  @Test
  void bundlesSendingEarlyOrOnceGiveTheCountsPartitionsAndLookups() {
    FeatureSelection selection = FeatureSelection.parse(FeatureSelectionTest.REPO, "a:n,b:mx");
    List<JoinSteps.GroupTime> times = JoinSteps.GroupTime.of(selection, JoinPointInTime.DEFAULT_HOT_KEY_THRESHOLD);
    assertEquals(List.of("user", "shop"), selection.keyColumns().stream().map(f -> f.name()).toList());
    List<SpineRow> spine = spine(1_500);

    Map<Bucket, Long> counts = new HashMap<>();
    Set<String> partitions = new TreeSet<>();
    for (SpineRow row : spine) {
      for (int g = 0; g < times.size(); g++) {
        JoinSteps.GroupTime t = times.get(g);
        long end = t.windowEnd(row);
        counts.merge(t.bucket(g, t.key(row), end), 1L, Long::sum);
        partitions.add(t.partition(OfflineLayout.dateOf(end)));
      }
    }

    String box = "request-buckets-" + System.nanoTime();
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    PCollection<SpineRow> rows = p.apply(Create.of(spine).withCoder(SpineRow.Coder.of()));
    Map<String, JoinSteps.RequestBucketsFn> variants = Map.of(
        "early", new JoinSteps.RequestBucketsFn(times, 40, 100),
        "once", new JoinSteps.RequestBucketsFn(times));
    variants.forEach((name, fn) -> {
      PCollectionTuple requests = rows.apply("Request/" + name,
          ParDo.of(fn).withOutputTags(JoinSteps.BUCKETS, TupleTagList.of(JoinSteps.PARTITIONS).and(JoinSteps.LOOKUPS)));
      requests.get(JoinSteps.BUCKETS)
          .setCoder(KvCoder.of(Bucket.Coder.of(), VarLongCoder.of()))
          .apply("Sum/" + name, Sum.longsPerKey())
          .apply("CollectCounts/" + name, Collected.into(box + "/" + name + "/counts"));
      requests.get(JoinSteps.PARTITIONS)
          .setCoder(StringUtf8Coder.of())
          .apply("Distinct/" + name, Distinct.create())
          .apply("CollectPartitions/" + name, Collected.into(box + "/" + name + "/partitions"));
      requests.get(JoinSteps.LOOKUPS)
          .setCoder(LookupFilter.Hashes.Coder.INSTANCE)
          .apply("Filter/" + name, Combine.globally(new LookupFilter.Build()))
          .apply("CollectFilter/" + name, Collected.into(box + "/" + name + "/filter"));
    });
    p.run().waitUntilFinish();

    for (String name : variants.keySet()) {
      Map<Bucket, Long> summed = new HashMap<>();
      for (Object o : Collected.get(box + "/" + name + "/counts")) {
        @SuppressWarnings("unchecked")
        KV<Bucket, Long> kv = (KV<Bucket, Long>) o;
        assertEquals(null, summed.put(kv.getKey(), kv.getValue()), name + ": one count per bucket: " + kv.getKey());
      }
      assertEquals(counts, summed, name);
      List<String> distinct = Collected.get(box + "/" + name + "/partitions");
      assertEquals(partitions.size(), distinct.size(), name);
      assertEquals(partitions, new TreeSet<>(distinct), name);
      List<LookupFilter> filters = Collected.get(box + "/" + name + "/filter");
      assertEquals(1, filters.size(), name);
      for (SpineRow row : spine) {
        for (int g = 0; g < times.size(); g++) {
          JoinSteps.GroupTime t = times.get(g);
          assertTrue(filters.get(0).mightHold(g, t.key(row), t.windowEnd(row)),
              name + ": lookup of " + row.origin() + " in group " + g);
        }
      }
    }
  }

  /** Rows of 40 users and 3 shops over 70 days (three months), several rows per key and hour. */
  static List<SpineRow> spine(int n) {
    Random rnd = new Random(7);
    List<SpineRow> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long t = START + (long) rnd.nextInt(70 * 24) * 3_600_000L + rnd.nextInt(3_600_000);
      List<Object> keys = List.of("u" + rnd.nextInt(40), (long) rnd.nextInt(3));
      out.add(new SpineRow(i, "spine.csv:" + (i + 2), t * 1_000_000L, keys, new byte[0]));
    }
    return out;
  }
}
