package io.featurepipe.sinks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.record.FeatureRow;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A bucket's match: each spine row gets the offline row at its e(t) or the group's empty values,
 * and two offline rows at a window end a spine row asks for fail the run (the store is corrupt).
 */
class AttachTest {
  private static final long HOUR = 3_600_000L;
  private static final long START = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  private static final FeatureSelection SELECTION = FeatureSelection.parse(FeatureSelectionTest.REPO, "b:*");
  private static final FeatureGroupDef B = FeatureSelectionTest.REPO.group("b");
  private static final JoinSteps.GroupTime TIME = JoinSteps.GroupTime.of(SELECTION, 1_000).get(0);
  private static final List<Object> KEY = List.of("u1", 2L);
  private static final Bucket BUCKET = TIME.bucket(0, KEY, START);

  static FeatureRow offline(long end, long n) {
    return new FeatureRow("b", B.version(), KEY, end, new Object[] {n, 1.5}, false, new BitSet(), false, 0);
  }

  static PendingRow spine(long id, long millis) {
    SpineRow row = new SpineRow(id, "spine.csv:" + (id + 2), millis * 1_000_000L, KEY, new byte[0]);
    return new PendingRow(new JoinedRow(row, List.of()), new int[] {0});
  }

  static List<PendingRow> attach(List<FeatureRow> offline, List<PendingRow> rows) {
    JoinSteps.Attach attach = new JoinSteps.Attach(0, B, new Object[] {0L, null}, TIME);
    List<PendingRow> out = new ArrayList<>();
    attach.attach(BUCKET, offline, rows, out::add);
    return out;
  }

  @Test
  void eachSpineRowGetsTheRowAtItsWindowEndOrTheEmptyValues() {
    List<PendingRow> out = attach(
        List.of(offline(START + 2 * HOUR, 7), offline(START + 5 * HOUR, 9)),
        List.of(spine(1, START + 2 * HOUR + 1), spine(2, START + 3 * HOUR), spine(3, START + 2 * HOUR - 1)));
    assertEquals(3, out.size());
    FeatureRow first = out.get(0).row().groups().get(0);
    assertEquals(7L, first.values()[0], "e(t) of 02:00:00.001 is 02:00");
    assertFalse(first.empty());
    FeatureRow second = out.get(1).row().groups().get(0);
    assertTrue(second.empty(), "no offline row at 03:00: the empty values");
    assertEquals(0L, second.values()[0]);
    assertEquals(START + 3 * HOUR, second.windowEndMillis());
    assertTrue(out.get(2).row().groups().get(0).empty(), "01:59:59.999 looks up 01:00, not 02:00");
    assertEquals(1, out.get(0).salts().length, "the salts travel on");
  }

  @Test
  void twoOfflineRowsAtAWindowEndAskedForFailTheRun() {
    List<FeatureRow> twice = List.of(offline(START + 2 * HOUR, 7), offline(START + 2 * HOUR, 8));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> attach(twice, List.of(spine(1, START + 2 * HOUR + 5))));
    assertTrue(e.getMessage().contains("two rows of group 'b'"), e.getMessage());
    assertEquals(1, attach(twice, List.of(spine(1, START + 4 * HOUR))).size(),
        "two rows at an end nobody asks for do not stop the others");
  }
}
