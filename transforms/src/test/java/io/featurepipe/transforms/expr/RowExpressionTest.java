package io.featurepipe.transforms.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.model.ColumnType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * An expression that is only a column's name (read without running CEL) yields what CEL yields for
 * it: each type, null values, timestamps back in epoch nanoseconds, and a missing column fails
 * the same way.
 */
class RowExpressionTest {
  static final Map<String, ColumnType> TYPES = new LinkedHashMap<>();

  static {
    TYPES.put("s", ColumnType.STRING);
    TYPES.put("i", ColumnType.INT64);
    TYPES.put("d", ColumnType.DOUBLE);
    TYPES.put("b", ColumnType.BOOL);
    TYPES.put("t", ColumnType.TIMESTAMP);
  }

  @Test
  void aColumnsNameYieldsWhatCelYields() throws ExpressionException {
    Map<String, Object> row = new HashMap<>();
    row.put("s", "héllo");
    row.put("i", -42L);
    row.put("d", 2.5);
    row.put("b", true);
    row.put("t", 1_767_225_600_123_456_789L);
    Map<String, Object> nulls = new HashMap<>();
    TYPES.keySet().forEach(c -> nulls.put(c, null));
    nulls.put("t", 0L); // timestamps are required
    for (Map<String, Object> r : List.of(row, nulls)) {
      Map<String, Object> cel = new HashMap<>();
      r.forEach((c, v) -> cel.put(c, RowExpression.toCel(v, TYPES.get(c))));
      for (String c : TYPES.keySet()) {
        RowExpression name = RowExpression.compile(c, TYPES);
        RowExpression program = RowExpression.compile("true ? " + c + " : " + c, TYPES);
        assertEquals(r.get(c), name.evaluateCel(cel), c);
        assertEquals(program.evaluateCel(cel), name.evaluateCel(cel), c);
        assertEquals(TYPES.get(c), name.resultType(), c);
        assertEquals(c, name.column(), "read without CEL");
        assertEquals(null, program.column());
      }
    }
  }

  @Test
  void aMissingColumnFailsAsInCel() throws ExpressionException {
    Map<String, Object> cel = new HashMap<>();
    cel.put("s", "x");
    ExpressionException name = assertThrows(ExpressionException.class,
        () -> RowExpression.compile("i", TYPES).evaluateCel(cel));
    ExpressionException program = assertThrows(ExpressionException.class,
        () -> RowExpression.compile("true ? i : i", TYPES).evaluateCel(cel));
    // the same error but for its position in the expression
    assertEquals(
        program.getMessage().replace("'true ? i : i': ", "").replaceAll("<input>:\\d+", "<input>"),
        name.getMessage().replace("'i': ", "").replaceAll("<input>:\\d+", "<input>"));
    assertTrue(name.getMessage().contains("No such attribute(s): i"), name.getMessage());
  }

  @Test
  void aResultThatIsNoColumnValueFailsNamingTheExpression() throws ExpressionException {
    Map<String, Object> cel = new HashMap<>();
    cel.put("t", RowExpression.toCel(0L, ColumnType.TIMESTAMP));
    String far = "timestamp('9999-01-01T00:00:00Z')";
    ExpressionException e = assertThrows(ExpressionException.class,
        () -> RowExpression.compile(far, TYPES).evaluateCel(cel));
    assertEquals("'" + far + "': yields the timestamp 9999-01-01T00:00:00Z, outside the range of epoch nanoseconds",
        e.getMessage());
  }

  /**
   * One compiled expression evaluated from several threads at once (the feature server shares one
   * per request feature across its request threads): every result is its own row's.
   */
  @Test
  void oneExpressionEvaluatesOnManyThreadsAtOnce() throws Exception {
    RowExpression e = RowExpression.compile("d != null && d > 1.0 ? d * 2.0 + double(i) : -1.0", TYPES);
    int threads = 4;
    int rows = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> wrong = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        wrong.add(pool.submit(() -> {
          int bad = 0;
          for (int r = 0; r < rows; r++) {
            double d = thread * rows + r;
            long i = r % 7;
            Map<String, Object> cel = new HashMap<>();
            cel.put("d", r % 5 == 0 ? RowExpression.toCel(null, ColumnType.DOUBLE) : d);
            cel.put("i", i);
            Object expected = r % 5 == 0 || d <= 1.0 ? -1.0 : d * 2.0 + i;
            if (!expected.equals(e.evaluateCel(cel))) {
              bad++;
            }
          }
          return bad;
        }));
      }
      for (Future<Integer> f : wrong) {
        assertEquals(0, f.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
