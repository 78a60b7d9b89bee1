package io.featurepipe.pipelines.audit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.ValueType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the audit compares an online value with an offline one. */
class OnlineAuditTest {

  @Test
  void valuesAgreeExactlyAndTimestampsAtMicroseconds() {
    ValueType d = ValueType.scalar(ColumnType.DOUBLE);
    assertTrue(OnlineAudit.same(0.1 + 0.2, 0.1 + 0.2, d));
    assertFalse(OnlineAudit.same(0.1 + 0.2, 0.3, d), "one ulp apart is a mismatch");
    assertTrue(OnlineAudit.same(Double.NaN, Double.NaN, d));
    assertFalse(OnlineAudit.same(-0.0, 0.0, d));
    assertTrue(OnlineAudit.same(null, null, d));
    assertFalse(OnlineAudit.same(null, 0.0, d));
    assertFalse(OnlineAudit.same(5L, 6L, ValueType.scalar(ColumnType.INT64)));
    ValueType ts = ValueType.scalar(ColumnType.TIMESTAMP);
    assertTrue(OnlineAudit.same(1_767_952_800_123_456_789L, 1_767_952_800_123_456_000L, ts), "offline files keep microseconds");
    assertFalse(OnlineAudit.same(1_767_952_800_123_457_000L, 1_767_952_800_123_456_000L, ts));
    ValueType tsList = ValueType.listOf(ColumnType.TIMESTAMP);
    assertTrue(OnlineAudit.same(List.of(1_000_999L, 5_000L), List.of(1_000_000L, 5_000L), tsList));
    assertFalse(OnlineAudit.same(List.of(1_000_999L), List.of(1_000_000L, 5_000L), tsList));
    assertTrue(OnlineAudit.same(List.of("a", "b"), List.of("a", "b"), ValueType.listOf(ColumnType.STRING)));
    assertFalse(OnlineAudit.same(List.of("b", "a"), List.of("a", "b"), ValueType.listOf(ColumnType.STRING)));
  }
}
