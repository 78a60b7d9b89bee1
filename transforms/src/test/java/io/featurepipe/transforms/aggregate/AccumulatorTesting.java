package io.featurepipe.transforms.aggregate;

import static org.junit.jupiter.api.Assertions.fail;

import io.featurepipe.transforms.model.Aggregation;
import io.featurepipe.transforms.model.AggregationKind;
import io.featurepipe.transforms.model.ColumnType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Test support: events, random data with the awkward cases, a bit-exact result comparison, and
 * brute-force reference implementations of every aggregation that share no code with the
 * accumulators (BigDecimal arithmetic, sorting, code point arrays).
 */
final class AccumulatorTesting {
  private AccumulatorTesting() {}

  /** One row: a value (null allowed) and its event time in nanos. */
  record Event(Object value, long time) {
    @Override
    public String toString() {
      return value instanceof Double d ? d + "@" + time + "(" + Long.toHexString(Double.doubleToRawLongBits(d)) + ")" : value + "@" + time;
    }
  }

  /** An aggregation over a column type. */
  record Combo(Aggregation aggregation, ColumnType type) {
    Accumulator create() {
      return Aggregators.create(aggregation, type);
    }

    @Override
    public String toString() {
      return aggregation + "(" + (type == null ? "" : type.yamlName()) + ")";
    }
  }

  static final double NAN_WITH_PAYLOAD = Double.longBitsToDouble(0x7FF8_0000_0000_0123L);
  static final double NEGATIVE_NAN = Double.longBitsToDouble(0xFFF8_0000_0000_0000L);

  /** Every aggregation with every column type it accepts (two parameters for the parametrised ones). */
  static List<Combo> allCombos() {
    List<Combo> out = new ArrayList<>();
    out.add(new Combo(Aggregation.of(AggregationKind.COUNT), null));
    out.add(new Combo(Aggregation.of(AggregationKind.COUNT), ColumnType.STRING));
    for (ColumnType t : List.of(ColumnType.INT64, ColumnType.DOUBLE, ColumnType.BOOL)) {
      out.add(new Combo(Aggregation.of(AggregationKind.SUM), t));
      out.add(new Combo(Aggregation.of(AggregationKind.MEAN), t));
      out.add(new Combo(Aggregation.of(AggregationKind.VARIANCE), t));
      out.add(new Combo(Aggregation.of(AggregationKind.STDDEV), t));
    }
    for (ColumnType t : ColumnType.values()) {
      out.add(new Combo(Aggregation.of(AggregationKind.MIN), t));
      out.add(new Combo(Aggregation.of(AggregationKind.MAX), t));
      out.add(new Combo(Aggregation.of(AggregationKind.FIRST), t));
      out.add(new Combo(Aggregation.of(AggregationKind.LAST), t));
      out.add(new Combo(Aggregation.of(AggregationKind.APPROX_COUNT_DISTINCT), t));
      out.add(new Combo(Aggregation.topK(1), t));
      out.add(new Combo(Aggregation.topK(5), t));
      out.add(new Combo(Aggregation.lastK(1), t));
      out.add(new Combo(Aggregation.lastK(5), t));
    }
    for (ColumnType t : List.of(ColumnType.INT64, ColumnType.DOUBLE)) {
      out.add(new Combo(Aggregation.quantile(0.5), t));
      out.add(new Combo(Aggregation.quantile(0.95), t));
    }
    return out;
  }

  static Accumulator fill(Accumulator a, List<Event> events) {
    for (Event e : events) {
      a.add(e.value(), e.time());
    }
    return a;
  }

  // ---------------------------------------------------------------- comparing results

  /** Equal results: doubles by raw bits (so NaN payloads and -0.0 count), lists element-wise. */
  static boolean sameResult(Object a, Object b) {
    if (a instanceof Double x && b instanceof Double y) {
      return Double.doubleToRawLongBits(x) == Double.doubleToRawLongBits(y);
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!sameResult(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    return java.util.Objects.deepEquals(a, b) && (a == null || a.getClass() == b.getClass());
  }

  static void assertSameResult(Object expected, Object actual, Object context) {
    if (!sameResult(expected, actual)) {
      fail(context + ": expected " + show(expected) + " but got " + show(actual));
    }
  }

  static String show(Object v) {
    if (v instanceof Double d) {
      return d + " (0x" + Long.toHexString(Double.doubleToRawLongBits(d)) + ")";
    }
    return v == null ? "null" : v + " (" + v.getClass().getSimpleName() + ")";
  }

  // ---------------------------------------------------------------- random data

  private static final double[] SPECIAL_DOUBLES = {
    Double.NaN, NAN_WITH_PAYLOAD, NEGATIVE_NAN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
  };
  private static final double[] AWKWARD_DOUBLES = {
    0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE,
    -Double.MAX_VALUE, 1e308, -1e308, 1.0, -1.0, 0.1, 1e-300, 3 * Double.MIN_VALUE,
    0x1p53, 0x1p-53, 1e16, -1e16,
  };
  private static final String[] STRING_PARTS = {
    "a", "b", "z", "é", "\u00ff", "\u4e2d", "\uE000", "\uFFFF", "\uD83D\uDE00" /* U+1F600 */,
    "\uD800\uDC00" /* U+10000 */, "\uDBFF\uDFFF" /* U+10FFFF */, "", "A",
  };

  static Object randomValue(ColumnType type, Random r, boolean specials) {
    switch (type) {
      case DOUBLE:
        return randomDouble(r, specials);
      case INT64:
        switch (r.nextInt(6)) {
          case 0:
            return (long) (r.nextInt(7) - 3);
          case 1:
            return r.nextBoolean() ? Long.MAX_VALUE - r.nextInt(3) : Long.MIN_VALUE + r.nextInt(3);
          case 2:
            return r.nextLong();
          default:
            return (long) r.nextInt(1_000_000) - 500_000;
        }
      case TIMESTAMP:
        return 1_700_000_000_000_000_000L + r.nextInt(50) * 1_000_000_000L + r.nextInt(3);
      case BOOL:
        return r.nextBoolean();
      case STRING:
        int n = r.nextInt(4);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
          sb.append(STRING_PARTS[r.nextInt(STRING_PARTS.length)]);
        }
        return sb.toString();
      default:
        throw new AssertionError(type);
    }
  }

  static double randomDouble(Random r, boolean specials) {
    int c = r.nextInt(20);
    if (c == 0 && specials) {
      return SPECIAL_DOUBLES[r.nextInt(SPECIAL_DOUBLES.length)];
    }
    if (c <= 2) {
      return AWKWARD_DOUBLES[r.nextInt(AWKWARD_DOUBLES.length)];
    }
    if (c <= 5) {
      return r.nextInt(9) - 4; // duplicates
    }
    if (c <= 7) {
      double v = Math.scalb(1 + r.nextDouble(), r.nextInt(2098) - 1074);
      return r.nextBoolean() ? v : -v; // anywhere in the range, subnormals included
    }
    return r.nextGaussian() * Math.pow(10, r.nextInt(12) - 4);
  }

  /** Random events: about 10% null values, event times with many ties. */
  static List<Event> randomEvents(ColumnType type, Random r, int n, boolean specials) {
    List<Event> out = new ArrayList<>(n);
    long base = 1_700_000_000_000_000_000L;
    for (int i = 0; i < n; i++) {
      Object v = type == null || r.nextInt(10) == 0 ? null : randomValue(type, r, specials);
      long t = base + r.nextInt(30) * 1_000_000L + (r.nextInt(4) == 0 ? r.nextInt(3) : 0);
      out.add(new Event(v, t));
    }
    return out;
  }

  // ---------------------------------------------------------------- brute-force references

  /** Code point order, computed independently from {@link ValueOrdering}. */
  static int refCompareStrings(String a, String b) {
    int[] x = a.codePoints().toArray();
    int[] y = b.codePoints().toArray();
    return java.util.Arrays.compare(x, y);
  }

  static final Comparator<Object> REF_ORDER =
      (a, b) -> {
        if (a instanceof String x) {
          return refCompareStrings(x, (String) b);
        }
        if (a instanceof Double x) {
          double p = x;
          double q = (Double) b;
          if (Double.isNaN(p) || Double.isNaN(q)) {
            return Boolean.compare(Double.isNaN(p), Double.isNaN(q));
          }
          if (p == q) { // only 0.0 and -0.0 are equal and distinct
            return Boolean.compare(1 / p > 0, 1 / q > 0);
          }
          return p < q ? -1 : 1;
        }
        @SuppressWarnings("unchecked")
        Comparable<Object> c = (Comparable<Object>) a;
        return c.compareTo(b);
      };

  static final Comparator<Event> REF_EVENT_ORDER =
      Comparator.comparingLong(Event::time).thenComparing(Event::value, REF_ORDER);

  static Object canonical(Object v) {
    return v instanceof Double d && d.isNaN() ? Double.NaN : v;
  }

  static List<Event> nonNull(List<Event> events) {
    List<Event> out = new ArrayList<>();
    for (Event e : events) {
      if (e.value() != null) {
        out.add(new Event(canonical(e.value()), e.time()));
      }
    }
    return out;
  }

  private static final MathContext PRECISE = new MathContext(450, RoundingMode.HALF_EVEN);

  /** The brute-force result of {@code combo} over {@code events} (not for approx_quantile). */
  static Object reference(Combo combo, List<Event> events) {
    AggregationKind kind = combo.aggregation().kind();
    List<Event> values = nonNull(events);
    switch (kind) {
      case COUNT:
        return (long) events.size();
      case SUM:
        if (combo.type() != ColumnType.DOUBLE) {
          BigInteger s = BigInteger.ZERO;
          for (Event e : values) {
            s = s.add(BigInteger.valueOf(asLong(e.value())));
          }
          return s.bitLength() <= 63 ? (Object) s.longValue() : null;
        } else {
          if (values.isEmpty()) {
            return 0.0;
          }
          Double special = referenceSpecial(values);
          if (special != null) {
            return special;
          }
          BigDecimal s = exactSum(values);
          return s.signum() == 0 ? zeroOf(values) : s.doubleValue();
        }
      case MEAN:
        {
          if (values.isEmpty()) {
            return null;
          }
          if (combo.type() == ColumnType.DOUBLE) {
            Double special = referenceSpecial(values);
            if (special != null) {
              return special;
            }
          }
          BigDecimal s = exactSum(values);
          if (s.signum() == 0) {
            return combo.type() == ColumnType.DOUBLE ? zeroOf(values) : 0.0;
          }
          return s.divide(BigDecimal.valueOf(values.size()), PRECISE).doubleValue();
        }
      case VARIANCE:
      case STDDEV:
        {
          if (values.size() < 2) {
            return null;
          }
          for (Event e : values) {
            if (e.value() instanceof Double d && !Double.isFinite(d)) {
              return Double.NaN;
            }
          }
          BigDecimal n = BigDecimal.valueOf(values.size());
          BigDecimal s = exactSum(values);
          BigDecimal s2 = BigDecimal.ZERO;
          for (Event e : values) {
            BigDecimal x = asBigDecimal(e.value());
            s2 = s2.add(x.multiply(x));
          }
          BigDecimal num = n.multiply(s2).subtract(s.multiply(s));
          double variance =
              num.signum() == 0
                  ? 0.0
                  : num.divide(n.multiply(n.subtract(BigDecimal.ONE)), PRECISE).doubleValue();
          return kind == AggregationKind.VARIANCE ? variance : Math.sqrt(variance);
        }
      case MIN:
      case MAX:
        {
          Object best = null;
          for (Event e : values) {
            int c = best == null ? 0 : REF_ORDER.compare(e.value(), best);
            if (best == null || (kind == AggregationKind.MAX ? c > 0 : c < 0)) {
              best = e.value();
            }
          }
          return best;
        }
      case FIRST:
      case LAST:
        {
          if (values.isEmpty()) {
            return null;
          }
          List<Event> sorted = new ArrayList<>(values);
          sorted.sort(REF_EVENT_ORDER);
          return (kind == AggregationKind.FIRST ? sorted.get(0) : sorted.get(sorted.size() - 1))
              .value();
        }
      case APPROX_COUNT_DISTINCT:
        {
          Set<Object> distinct = new HashSet<>();
          for (Event e : values) {
            distinct.add(e.value()); // Double.equals: NaN == NaN, -0.0 != 0.0
          }
          if (distinct.size() >= DistinctCountAccumulator.K) {
            throw new IllegalArgumentException("no exact reference at or above k distinct values");
          }
          return (long) distinct.size();
        }
      case TOP_K:
        {
          TreeSet<Object> set = new TreeSet<>(REF_ORDER.reversed());
          for (Event e : values) {
            set.add(e.value());
          }
          List<Object> out = new ArrayList<>();
          for (Object v : set) {
            if (out.size() == combo.aggregation().k()) {
              break;
            }
            out.add(v);
          }
          return out;
        }
      case LAST_K:
        {
          List<Event> sorted = new ArrayList<>(values);
          sorted.sort(REF_EVENT_ORDER.reversed());
          List<Object> out = new ArrayList<>();
          for (Event e : sorted) {
            if (out.size() == combo.aggregation().k()) {
              break;
            }
            out.add(e.value());
          }
          return out;
        }
      default:
        throw new IllegalArgumentException("no reference for " + combo);
    }
  }

  /** The exact-rank quantile that DDSketch approximates: the value of rank floor(q (N-1)). */
  static Double referenceQuantile(double q, List<Event> events) {
    List<Double> xs = new ArrayList<>();
    for (Event e : events) {
      if (e.value() != null) {
        double x = e.value() instanceof Long l ? (double) l : (Double) e.value();
        if (!Double.isNaN(x)) {
          xs.add(x);
        }
      }
    }
    if (xs.isEmpty()) {
      return null;
    }
    xs.sort(Double::compare);
    return xs.get((int) Math.floor(q * (xs.size() - 1)));
  }

  private static Double referenceSpecial(List<Event> values) {
    boolean nan = false;
    boolean pos = false;
    boolean neg = false;
    for (Event e : values) {
      double d = (Double) e.value();
      nan |= Double.isNaN(d);
      pos |= d == Double.POSITIVE_INFINITY;
      neg |= d == Double.NEGATIVE_INFINITY;
    }
    if (nan || (pos && neg)) {
      return Double.NaN;
    }
    if (pos) {
      return Double.POSITIVE_INFINITY;
    }
    return neg ? (Double) Double.NEGATIVE_INFINITY : null;
  }

  private static double zeroOf(List<Event> values) {
    for (Event e : values) {
      if (Double.doubleToRawLongBits((Double) e.value()) != Double.doubleToRawLongBits(-0.0)) {
        return 0.0;
      }
    }
    return -0.0;
  }

  private static BigDecimal exactSum(List<Event> values) {
    BigDecimal s = BigDecimal.ZERO;
    for (Event e : values) {
      s = s.add(asBigDecimal(e.value()));
    }
    return s;
  }

  private static BigDecimal asBigDecimal(Object v) {
    if (v instanceof Double d) {
      return new BigDecimal(d); // exact
    }
    return BigDecimal.valueOf(asLong(v));
  }

  private static long asLong(Object v) {
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    return (Long) v;
  }
}
