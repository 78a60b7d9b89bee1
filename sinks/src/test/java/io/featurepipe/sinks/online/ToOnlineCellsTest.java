package io.featurepipe.sinks.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.compute.ComputeFeatures;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecordCoder;
import io.featurepipe.transforms.testing.Collected;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reconstruction of online rows from offline rows: over a whole history it gives back exactly what
 * {@code ComputeFeatures} emitted for the online store (explicit empties and {@code onlineWrites}
 * included); from the middle of a history it writes every feature at the first window end and
 * agrees on every row after.
 */
class ToOnlineCellsTest {
  private static final FeatureRepository REPO = OnlineScenario.repository();
  private static final long FROM = OnlineScenario.START + 13 * OnlineScenario.HOUR; // a multiple of both hops
  private static final long UNTIL = OnlineScenario.START + 30 * OnlineScenario.HOUR;
  private static List<FeatureRow> bounded;
  private static List<FeatureRow> whole;
  private static List<FeatureRow> middle;

  /** One pipeline: the bounded run, and both reconstructions from its rows as the offline store keeps them. */
  @BeforeAll
  static void computeAndReconstruct() {
    OnlineScenario scenario = OnlineScenario.generate(21, 200, 30);
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    String run = "to-online-" + System.nanoTime();
    PCollection<FeatureRow> rows =
        PCollectionTuple.of(ComputeFeatures.sourceTag("events"),
                p.apply("Events", Create.timestamped(scenario.onTime()).withCoder(SourceRecordCoder.of())))
            .apply("ComputeFeatures", ComputeFeatures.of(REPO))
            .rows();
    rows.apply("CollectBounded", Collected.into(run + "/bounded"));
    PCollection<FeatureRow> offline = rows.apply("AsOffline", ParDo.of(new OnlineScenario.AsOfflineFn()));
    offline
        .apply("WholeHistory", ToOnlineCells.of(REPO, Instant.EPOCH, Instant.parse("2030-01-01T00:00:00Z")))
        .apply("CollectWhole", Collected.into(run + "/whole"));
    offline
        .apply("FromTheMiddle", ToOnlineCells.of(REPO, Instant.ofEpochMilli(FROM), Instant.ofEpochMilli(UNTIL)))
        .apply("CollectMiddle", Collected.into(run + "/middle"));
    p.run().waitUntilFinish();
    bounded = Collected.get(run + "/bounded");
    whole = Collected.get(run + "/whole");
    middle = Collected.get(run + "/middle");
    assertTrue(bounded.stream().anyMatch(FeatureRow::empty), "the history has explicit empties");
  }

  private static Map<String, String> described(List<FeatureRow> rows, long from) {
    Map<String, String> out = new TreeMap<>();
    for (FeatureRow r : rows) {
      if (r.windowEndMillis() >= from) {
        String was = out.put(r.identity(),
            java.util.Arrays.deepToString(r.values()) + (r.empty() ? " empty" : "") + " writes=" + r.onlineWrites());
        assertEquals(null, was, "two rows for " + r.identity());
      }
    }
    return out;
  }

  @Test
  void theWholeHistoryGivesBackTheStreamRows() {
    assertEquals(described(bounded, 0), described(whole, 0));
  }

  @Test
  void fromTheMiddleEveryFeatureIsWrittenAtTheFirstWindowEnd() {
    long from = FROM;
    long until = UNTIL;
    List<FeatureRow> rebuilt = middle;
    List<FeatureRow> expected = new ArrayList<>();
    for (FeatureRow r : bounded) {
      if (r.windowEndMillis() >= from && r.windowEndMillis() < until) {
        expected.add(r);
      }
    }
    Map<String, FeatureRow> byId = new TreeMap<>();
    rebuilt.forEach(r -> byId.put(r.identity(), r));
    assertEquals(expected.size(), rebuilt.size(), "the same rows, explicit empties included");
    int atFrom = 0;
    for (FeatureRow e : expected) {
      FeatureRow r = byId.get(e.identity());
      assertTrue(r != null && java.util.Arrays.deepEquals(e.values(), r.values()) && e.empty() == r.empty(),
          "expected " + e + " got " + r);
      if (e.windowEndMillis() == from) {
        BitSet all = new BitSet();
        all.set(0, e.values().length);
        assertEquals(all, r.onlineWrites(), "every feature at the first window end: " + r);
        atFrom++;
      }
    }
    assertTrue(atFrom > 0, "some key has a row at the range's first window end");
  }
}
