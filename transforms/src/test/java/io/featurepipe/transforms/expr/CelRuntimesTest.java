package io.featurepipe.transforms.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link RowExpression} runs CEL's planner runtime; CEL's standard (interpreting) runtime is the
 * reference it must agree with. Every expression of the sample repository (filters, derived
 * columns, keys) and a corpus of edge cases (overflow, division by zero, null arithmetic, NaN and
 * infinities, mixed numeric comparisons, strings, timestamps, conversions, logical operators over
 * failing operands) are evaluated by both over random rows that include nulls and extreme values:
 * each gives the same value, or both fail. One difference: both runtimes let the side of {@code
 * &&} or {@code ||} that decides the result win over a side that fails, but a null operand (a
 * value, not a boolean) fails the standard runtime at once, where the planner treats it as an
 * error the other side can override ({@code null && false} is false). Only the values are
 * compared: the messages differ in wording (an operator's name or its overload's, a capital).
 */
class CelRuntimesTest {
  private static final CelRuntime STANDARD =
      CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(RowExpression.OPTIONS).build();
  private static final int ROWS = 400;

  private static final List<String> EDGE_CASES = List.of(
      "i + 1", "i - 1", "i * i", "i * 9223372036854775807", "-i", "i / 0", "i % 0", "i / 3", "i % 3",
      "d / 0.0", "d * 1e308 * 10.0", "-d", "d + double(i)", "d == d", "d != d",
      "i > d", "dyn(i) == d", "i < 2.5", "d >= i", "dyn(i) == 1u", "d > 1",
      "i != null && i > 0", "i == null", "s == null ? 'none' : s", "b", "!b", "b && i > 0", "i > 0 && b", "b || i > 0", "b || i / 0 == 1",
      "i / 0 == 1 && false", "i / 0 == 1 || true", "d > 0.0 ? i : -i",
      "s + '!'", "size(s)", "s.size() > 2", "s.startsWith('h')", "s.endsWith('r')", "s.contains('é')",
      "s.matches('^[a-z]+$')", "s in ['a', 'héllo', '']", "s < 'm'", "s == ''",
      "int(d)", "double(i)", "string(i)", "string(d)", "int(s)", "double(s)", "bool(s)", "uint(i)", "int(uint(i))",
      "t > timestamp('2026-01-01T00:00:00Z')", "t - timestamp('2026-01-01T00:00:00Z')",
      "t + duration('1h')", "t - duration('36500000h')", "int(t)", "string(t)", "t.getHours()",
      "t.getDayOfWeek('Europe/Paris')", "t.getFullYear('America/New_York')", "t.getMilliseconds()",
      "duration('1h') > duration('59m')", "[i, i][1]", "[i][3]", "{'a': i}['a']", "{'a': i}['b']",
      "size([s, s])", "i in [1, 2, 3]", "dyn(i) == dyn(d)", "type(i) == int");

  @Test
  void theSamplesExpressionsAgreeOnEveryRow() throws Exception {
    FeatureRepository repo = RepositoryLoader.load(Path.of("../feature-defs/payments"));
    Random random = new Random(20261203L);
    int compared = 0;
    for (FeatureGroupDef g : repo.allGroups()) {
      // the columns as window computation compiles them: the source's, then each derived one
      Map<String, ColumnType> types = new LinkedHashMap<>();
      for (Field f : repo.source(g.source()).fields()) {
        types.put(f.name(), f.type());
      }
      List<String> expressions = new ArrayList<>();
      if (g.filter() != null) {
        expressions.add(g.filter());
      }
      List<Map<String, ColumnType>> scopes = new ArrayList<>();
      if (g.filter() != null) {
        scopes.add(new LinkedHashMap<>(types));
      }
      for (Map.Entry<String, String> d : g.derive().entrySet()) {
        expressions.add(d.getValue());
        scopes.add(new LinkedHashMap<>(types));
        types.put(d.getKey(), RowExpression.compile(d.getValue(), types).resultType());
      }
      for (String k : g.keys().values()) {
        expressions.add(k);
        scopes.add(new LinkedHashMap<>(types));
      }
      for (int e = 0; e < expressions.size(); e++) {
        compared += compare(expressions.get(e), scopes.get(e), random);
      }
    }
    assertTrue(compared >= 15 * ROWS, "evaluations compared: " + compared);
  }

  @Test
  void edgeCasesAgreeOnEveryRow() throws Exception {
    Map<String, ColumnType> types = new LinkedHashMap<>(RowExpressionTest.TYPES);
    Random random = new Random(7L);
    int compared = 0;
    for (String e : EDGE_CASES) {
      compared += compare(e, types, random);
    }
    assertEquals(EDGE_CASES.size() * ROWS, compared);
  }

  /** CEL's commutative logic, in the planner: the deciding side wins, on the left or the right. */
  @Test
  void aDecidingSideOfAndOrWinsOverAFailingOne() throws Exception {
    Map<String, Object> row = new HashMap<>();
    row.put("b", RowExpression.toCel(null, ColumnType.BOOL));
    row.put("i", 0L);
    assertEquals(false, RowExpression.compile("b && i > 0", RowExpressionTest.TYPES).evaluateCel(row));
    assertEquals(false, RowExpression.compile("i > 0 && b", RowExpressionTest.TYPES).evaluateCel(row));
    assertEquals(true, RowExpression.compile("b || i == 0", RowExpressionTest.TYPES).evaluateCel(row));
    assertEquals(true, RowExpression.compile("i == 0 || b", RowExpressionTest.TYPES).evaluateCel(row));
    // docs/definitions.md: compared with true, a null flag is false, never a dead letter
    assertEquals(false, RowExpression.compile("b == true && i == 0", RowExpressionTest.TYPES).evaluateCel(row));
    row.put("i", RowExpression.toCel(null, ColumnType.INT64));
    assertThrows(ExpressionException.class,
        () -> RowExpression.compile("b && i > 0", RowExpressionTest.TYPES).evaluateCel(row), "both sides fail");
    row.put("i", 0L);
    // when the failing side decides, the row fails (a dead letter)
    for (String e : List.of("b && i == 0", "i == 0 && b", "b || i > 0", "i > 0 || b")) {
      ExpressionException x = assertThrows(ExpressionException.class,
          () -> RowExpression.compile(e, RowExpressionTest.TYPES).evaluateCel(row));
      assertTrue(x.getMessage().toLowerCase(java.util.Locale.ROOT).contains("expected boolean value, found: null_value"),
          x.getMessage());
    }
  }

  /**
   * Evaluates one expression by both runtimes over random rows; the number of rows compared. Where
   * the standard runtime fails and the planner yields a value, the expression must be a logical
   * one, the row must hold a null boolean, and the value must be the one its other side decides
   * ({@link #aDecidingSideOfAndOrWinsOverAFailingOne}).
   */
  private static int compare(String source, Map<String, ColumnType> types, Random random) throws ExpressionException {
    RowExpression planner = RowExpression.compile(source, types);
    RowExpression standard = RowExpression.compile(source, types, STANDARD);
    for (int r = 0; r < ROWS; r++) {
      Map<String, Object> cel = new HashMap<>();
      types.forEach((c, t) -> cel.put(c, RowExpression.toCel(value(t, random), t)));
      String expected = outcome(standard, cel);
      String actual = outcome(planner, cel);
      boolean nullBoolean = types.entrySet().stream()
          .anyMatch(c -> c.getValue() == ColumnType.BOOL && RowExpression.toCel(null, ColumnType.BOOL).equals(cel.get(c.getKey())));
      if (expected.equals("error") && !actual.equals("error") && nullBoolean
          && (source.contains("&&") || source.contains("||"))) {
        assertEquals(source.contains("&&") ? "Boolean false" : "Boolean true", actual, () -> "'" + source + "' over " + cel);
        continue;
      }
      assertEquals(expected, actual, () -> "'" + source + "' over " + cel);
    }
    return ROWS;
  }

  /** The value an expression yields, or "error". */
  private static String outcome(RowExpression e, Map<String, Object> cel) {
    try {
      Object v = e.evaluateCel(cel);
      return v == null ? "null" : v.getClass().getSimpleName() + " " + v;
    } catch (ExpressionException x) {
      return "error";
    }
  }

  /** A random value of a column type: null one time in seven (never a timestamp), often an extreme. */
  private static Object value(ColumnType type, Random random) {
    if (type != ColumnType.TIMESTAMP && random.nextInt(7) == 0) {
      return null;
    }
    switch (type) {
      case STRING:
        return pick(random, "", "a", "héllo", "\uD83C\uDF4Fpear", "EUR", "US", "web", "12", "1.5", "true", "u" + random.nextInt(100));
      case INT64:
        return pick(random, 0L, 1L, -1L, 3L, Long.MAX_VALUE, Long.MIN_VALUE, (long) random.nextInt(1_000_000), random.nextLong());
      case DOUBLE:
        return pick(random, 0.0, -0.0, 1.5, -2.25, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.MAX_VALUE, 9.223372036854776E18, random.nextDouble() * 10_000);
      case BOOL:
        return random.nextBoolean();
      case TIMESTAMP:
        return pick(random, 0L, 1_767_225_600_123_456_789L, -1L, Long.MAX_VALUE, Long.MIN_VALUE,
            1_767_225_600_000_000_000L + random.nextLong(86_400_000_000_000L * 400));
      default:
        throw new IllegalArgumentException(type.toString());
    }
  }

  @SafeVarargs
  private static <T> T pick(Random random, T... values) {
    return values[random.nextInt(values.length)];
  }
}
