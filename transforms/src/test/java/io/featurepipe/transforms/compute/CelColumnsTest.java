package io.featurepipe.transforms.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.NullValue;
import com.google.protobuf.Timestamp;
import io.featurepipe.transforms.expr.RowExpression;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.record.SourceRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CelColumnsTest {
  private static final List<Field> FIELDS = List.of(
      Field.of("user_id", ColumnType.STRING),
      Field.of("amount", ColumnType.DOUBLE),
      Field.of("ts", ColumnType.TIMESTAMP),
      Field.of("note", ColumnType.STRING));
  private static final SourceRecord RECORD =
      new SourceRecord("payments", 0L, new Object[] {"u1", 12.5, 1_700_000_000_123_456_789L, null}, "test");

  /** What the view stands for: every column converted, in a plain map. */
  private static Map<String, Object> eager() {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < FIELDS.size(); i++) {
      m.put(FIELDS.get(i).name(), RowExpression.toCel(RECORD.value(i), FIELDS.get(i).type()));
    }
    return m;
  }

  @Test
  void readsEachColumnInCelFormAsTheEagerMapDid() {
    Map<String, Object> view = new CelColumns(FIELDS, RECORD);
    assertEquals("u1", view.get("user_id"));
    assertEquals(12.5, view.get("amount"));
    assertEquals(Timestamp.newBuilder().setSeconds(1_700_000_000L).setNanos(123_456_789).build(), view.get("ts"));
    assertSame(view.get("ts"), view.get("ts"), "converted once");
    assertEquals(NullValue.NULL_VALUE, view.get("note"), "a null column is CEL's null, present");
    assertTrue(view.containsKey("note"));
    assertNull(view.get("missing"));
    assertFalse(view.containsKey("missing"));
    assertEquals(eager(), view);
    assertEquals(eager(), new HashMap<>(view), "a copy holds every column");
    assertEquals(4, view.size());
  }

  @Test
  void putAddsOrShadowsANameInThisViewOnly() {
    Map<String, Object> view = new CelColumns(FIELDS, RECORD);
    assertNull(view.put("amount_cents", 1250L));
    assertEquals(1250L, view.get("amount_cents"));
    assertTrue(view.containsKey("amount_cents"));
    assertEquals(12.5, view.put("amount", 13.0));
    assertEquals(13.0, view.get("amount"));
    Map<String, Object> expected = eager();
    expected.put("amount_cents", 1250L);
    expected.put("amount", 13.0);
    assertEquals(expected, view);
    assertEquals(eager(), new CelColumns(FIELDS, RECORD), "another view of the record is untouched");
  }

  @Test
  void aCopyKeepsWhatTheViewHoldsAndItsOwnPutsStayItsOwn() {
    CelColumns shared = new CelColumns(FIELDS, RECORD);
    Object ts = shared.get("ts");
    shared.put("amount_cents", 1250L);
    CelColumns copy = shared.copy();
    assertSame(ts, copy.get("ts"), "a converted column is not converted again");
    assertEquals(1250L, copy.get("amount_cents"));
    copy.put("double", 25.0);
    copy.put("amount", 13.0);
    assertFalse(shared.containsKey("double"));
    assertEquals(12.5, shared.get("amount"));
    Map<String, Object> expected = eager();
    expected.put("amount_cents", 1250L);
    assertEquals(expected, shared);
    expected.put("double", 25.0);
    expected.put("amount", 13.0);
    assertEquals(expected, copy);
  }
}
