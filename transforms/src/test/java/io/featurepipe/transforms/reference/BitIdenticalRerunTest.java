package io.featurepipe.transforms.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.reference.PipelineHarness.Outputs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DESIGN §2/§3: bounded runs and reruns are bit-identical. The same events run twice (two separate
 * pipeline runs, the second with the input in another order and one worker thread) and once cut into
 * many small {@code Create}s flattened together (other bundles, so other partial tiles and merge
 * orders) must give the same rows, byte for byte in {@link FeatureRow.Coder}, compared per identity.
 */
class BitIdenticalRerunTest {

  @RegisterExtension final transient TestPipelineExtension pipeline = TestPipelineExtension.create();

  static final FeatureRepository REPO = ReferenceRepository.load();
  static final List<String> GROUPS = List.of("g_minute", "g_five", "g_half", "g_expr");

  @Test
  void rerunsAndOtherBundlingGiveIdenticalBytes(TestPipeline p) {
    // Byte identity is the point here, not DoFn hygiene (checked by PipelineVersusReferenceTest with
    // the DirectRunner's enforcement on); without it the three runs cost half the CPU.
    p.getOptions().as(DirectOptions.class).setEnforceImmutability(false);
    p.getOptions().as(DirectOptions.class).setEnforceEncodability(false);
    EventGenerator gen = new EventGenerator(2024);
    List<SourceRecord> records = new ArrayList<>(gen.keys("r_", 16));
    records.addAll(gen.hotKey("hot", 3_000, 5));

    Outputs first =
        PipelineHarness.compute("First", REPO, GROUPS, PipelineHarness.create(p, "EventsFirst", records));
    Outputs split =
        PipelineHarness.compute(
            "Split", REPO, GROUPS, PipelineHarness.createSplit(p, "EventsSplit", records, 12));
    p.run().waitUntilFinish();

    List<SourceRecord> shuffled = new ArrayList<>(records);
    Collections.shuffle(shuffled, new Random(7));
    DirectOptions options = PipelineOptionsFactory.create().as(DirectOptions.class);
    options.setRunner(DirectRunner.class);
    options.setTargetParallelism(1);
    options.setEnforceImmutability(false);
    options.setEnforceEncodability(false);
    Pipeline again = Pipeline.create(options);
    Outputs rerun =
        PipelineHarness.compute("Rerun", REPO, GROUPS, PipelineHarness.create(again, "EventsRerun", shuffled));
    again.run().waitUntilFinish();

    Map<String, byte[]> a = encoded(first.rows());
    Map<String, byte[]> b = encoded(rerun.rows());
    Map<String, byte[]> c = encoded(split.rows());
    first.clear();
    rerun.clear();
    split.clear();
    assertTrue(a.size() > 1000, "enough rows to mean something: " + a.size());
    assertIdentical("a rerun", a, b);
    assertIdentical("a run over 12 flattened Creates", a, c);
  }

  /** Rows by identity, as their coder's bytes; a duplicate identity is a failure of its own. */
  static Map<String, byte[]> encoded(List<FeatureRow> rows) {
    Map<String, byte[]> out = new TreeMap<>();
    for (FeatureRow r : rows) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try {
        FeatureRow.Coder.of().encode(r, bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (out.put(r.identity(), bytes.toByteArray()) != null) {
        throw new AssertionError("two rows for " + r.identity());
      }
    }
    return out;
  }

  static void assertIdentical(String what, Map<String, byte[]> want, Map<String, byte[]> got) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : want.entrySet()) {
      byte[] other = got.get(e.getKey());
      if (other == null) {
        problems.add("missing " + e.getKey());
      } else if (!Arrays.equals(e.getValue(), other)) {
        problems.add("differs " + decode(e.getValue()) + "\n      vs " + decode(other));
      }
    }
    for (String k : got.keySet()) {
      if (!want.containsKey(k)) {
        problems.add("extra " + k);
      }
    }
    assertEquals(
        List.of(),
        problems.subList(0, Math.min(10, problems.size())),
        what + " is not bit-identical to the first run (" + problems.size() + " rows differ)");
  }

  private static String decode(byte[] bytes) {
    try {
      return FeatureRow.Coder.of().decode(new ByteArrayInputStream(bytes)).toString();
    } catch (IOException e) {
      return Arrays.toString(bytes);
    }
  }
}
