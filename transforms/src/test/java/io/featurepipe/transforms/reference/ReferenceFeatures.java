package io.featurepipe.transforms.reference;

import io.featurepipe.transforms.expr.ExpressionException;
import io.featurepipe.transforms.expr.RowExpression;
import io.featurepipe.transforms.model.AggregationKind;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.SourceRecord;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A brute-force, Beam-free model of DESIGN §2–§3 for bounded runs: the rows a feature group must
 * produce for a list of source records. It shares nothing with the production aggregation or
 * window code: every (key, window end, feature) is computed straight from the definition by
 * scanning the key's events, with exact arithmetic ({@link RefMath}) and plain sorting. Only the
 * CEL evaluator ({@link RowExpression}) is shared, for filter, derive and key expressions.
 *
 * <p>Values of the approximate aggregations are the exact ones: {@code approx_count_distinct} the
 * exact number of distinct values, {@code approx_quantile(q)} the exact value of 0-based rank
 * {@code floor(q · (n − 1))} in ascending order; {@link RowMatcher} applies the error bounds.
 *
 * <p>Interpretations where DESIGN is silent (the production accumulators document the same):
 * {@code -0.0} orders just below {@code 0.0} and is a distinct value from it; all NaNs are one
 * value; NaN has no rank for {@code approx_quantile} (skipped); a {@code sum} of ints that does not
 * fit in a long is null; {@code stddev} is {@code Math.sqrt} of the correctly rounded variance.
 */
public final class ReferenceFeatures {

  /** An expected row; {@link #identity()} is formatted like {@code FeatureRow.identity()}. */
  public record ExpectedRow(
      String group, List<Object> key, long windowEndMillis, Object[] values, boolean empty) {
    public String identity() {
      return group + "|" + key + "|" + windowEndMillis;
    }

    @Override
    public String toString() {
      return identity() + (empty ? " empty " : " ") + Arrays.deepToString(values);
    }
  }

  /** The rows of a group, and how many records its expressions rejected (dead letters). */
  public record Outcome(List<ExpectedRow> rows, int deadLetters, int filteredOut) {}

  /** One event after filter and derive: full-precision time and every (source or derived) column. */
  record Event(long timeNanos, Map<String, Object> columns) {}

  private static final long NANOS_PER_MILLI = 1_000_000L;

  private ReferenceFeatures() {}

  public static Outcome compute(FeatureRepository repository, String group, List<SourceRecord> records) {
    FeatureGroupDef g = repository.group(group);
    return compute(g, repository.source(g.source()), repository.entity(g.entity()), records);
  }

  public static Outcome compute(
      FeatureGroupDef group, SourceDef source, EntityDef entity, List<SourceRecord> records) {
    if (group.custom() != null) {
      throw new UnsupportedOperationException("custom logic is not modelled by the reference");
    }
    // --- filter, derive, keys (CEL, the shared evaluator) ---
    Map<String, ColumnType> types = new LinkedHashMap<>();
    for (Field f : source.fields()) {
      types.put(f.name(), f.type());
    }
    RowExpression filter;
    Map<String, RowExpression> derive = new LinkedHashMap<>();
    List<RowExpression> keys = new ArrayList<>();
    try {
      filter = group.filter() == null ? null : RowExpression.compile(group.filter(), types);
      for (Map.Entry<String, String> d : group.derive().entrySet()) {
        RowExpression e = RowExpression.compile(d.getValue(), types);
        derive.put(d.getKey(), e);
        types.put(d.getKey(), e.resultType());
      }
      for (Field k : entity.keys()) {
        keys.add(RowExpression.compile(group.keys().get(k.name()), types));
      }
    } catch (ExpressionException e) {
      throw new IllegalStateException(e);
    }
    Map<List<Object>, List<Event>> byKey = new TreeMap<>(ReferenceFeatures::compareKeys);
    int dead = 0;
    int filtered = 0;
    for (SourceRecord r : records) {
      Map<String, Object> row = new HashMap<>();
      Map<String, Object> cel = new HashMap<>();
      for (int i = 0; i < source.fields().size(); i++) {
        Field f = source.fields().get(i);
        row.put(f.name(), r.value(i));
        cel.put(f.name(), RowExpression.toCel(r.value(i), f.type()));
      }
      try {
        if (filter != null && !Boolean.TRUE.equals(filter.evaluateCel(cel))) {
          filtered++;
          continue;
        }
        for (Map.Entry<String, RowExpression> d : derive.entrySet()) {
          Object v = d.getValue().evaluateCel(cel);
          row.put(d.getKey(), v);
          cel.put(d.getKey(), RowExpression.toCel(v, d.getValue().resultType()));
        }
        List<Object> key = new ArrayList<>();
        for (RowExpression k : keys) {
          Object v = k.evaluateCel(cel);
          if (v == null) {
            throw new ExpressionException("null key");
          }
          key.add(v);
        }
        byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(new Event(r.eventTimeNanos(), row));
      } catch (ExpressionException e) {
        dead++;
      }
    }
    List<ExpectedRow> rows = new ArrayList<>();
    for (Map.Entry<List<Object>, List<Event>> e : byKey.entrySet()) {
      rows.addAll(rowsOfKey(group, e.getKey(), e.getValue()));
    }
    return new Outcome(rows, dead, filtered);
  }

  private static int compareKeys(List<Object> a, List<Object> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = RefMath.compareValues(a.get(i), b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  /** The window of a feature in ms: its own, else the group's ttl. */
  static long windowMillis(FeatureGroupDef group, FeatureDef f) {
    return (f.window() != null ? f.window() : group.ttl()).toMillis();
  }

  /** Whether the window of length {@code w} ms ending at {@code e} ms holds time {@code t} ns. */
  static boolean inWindow(long e, long w, long tNanos) {
    return (e - w) * NANOS_PER_MILLI <= tNanos && tNanos < e * NANOS_PER_MILLI;
  }

  /** DESIGN §3 rows of one key: one per non-empty window end, one explicit empty after each run. */
  static List<ExpectedRow> rowsOfKey(FeatureGroupDef group, List<Object> key, List<Event> events) {
    long hop = group.hop().toMillis();
    long longest = 0;
    for (FeatureDef f : group.features()) {
      longest = Math.max(longest, windowMillis(group, f));
    }
    long minT = Long.MAX_VALUE;
    long maxT = Long.MIN_VALUE;
    for (Event ev : events) {
      minT = Math.min(minT, ev.timeNanos());
      maxT = Math.max(maxT, ev.timeNanos());
    }
    // Every window end (a multiple of the hop) that could see an event, scanned one by one.
    long from = Math.floorDiv(Math.floorDiv(minT, NANOS_PER_MILLI), hop) * hop;
    long to = Math.floorDiv(maxT, NANOS_PER_MILLI) + longest + 2 * hop;
    TreeSet<Long> nonEmpty = new TreeSet<>();
    for (long e = from; e <= to; e += hop) {
      for (Event ev : events) {
        if (inWindow(e, longest, ev.timeNanos())) {
          nonEmpty.add(e);
          break;
        }
      }
    }
    List<ExpectedRow> rows = new ArrayList<>();
    for (long e = from; e <= to; e += hop) {
      if (nonEmpty.contains(e)) {
        rows.add(new ExpectedRow(group.name(), key, e, valuesAt(group, events, e), false));
      } else if (nonEmpty.contains(e - hop)) {
        rows.add(new ExpectedRow(group.name(), key, e, emptyValues(group), true));
      }
    }
    return rows;
  }

  /** DESIGN §2 empty values, from the table, not from computing over nothing. */
  static Object[] emptyValues(FeatureGroupDef group) {
    Object[] out = new Object[group.features().size()];
    for (int i = 0; i < out.length; i++) {
      FeatureDef f = group.features().get(i);
      switch (f.aggregation().kind()) {
        case COUNT, APPROX_COUNT_DISTINCT -> out[i] = 0L;
        case SUM -> out[i] = f.inputType() == ColumnType.DOUBLE ? (Object) 0.0 : (Object) 0L;
        case TOP_K, LAST_K -> out[i] = List.of();
        default -> out[i] = null;
      }
    }
    return out;
  }

  static Object[] valuesAt(FeatureGroupDef group, List<Event> events, long e) {
    Map<Long, List<Event>> windows = new HashMap<>();
    Map<String, Double> variances = new HashMap<>(); // shared by variance and stddev
    Map<String, List<Timed>> columns = new HashMap<>(); // the non-null values of a column
    Object[] out = new Object[group.features().size()];
    for (int i = 0; i < out.length; i++) {
      FeatureDef f = group.features().get(i);
      long w = windowMillis(group, f);
      List<Event> inside =
          windows.computeIfAbsent(
              w,
              x -> {
                List<Event> l = new ArrayList<>();
                for (Event ev : events) {
                  if (inWindow(e, x, ev.timeNanos())) {
                    l.add(ev);
                  }
                }
                return l;
              });
      out[i] = aggregate(f, inside, w + "|", variances, columns);
    }
    return out;
  }

  /** A (time, value) pair of a non-null value. */
  private record Timed(long t, Object v) {}

  /** One feature over the events of its window, straight from DESIGN §2. */
  static Object aggregate(FeatureDef f, List<Event> inside) {
    return aggregate(f, inside, "", new HashMap<>(), new HashMap<>());
  }

  private static Object aggregate(
      FeatureDef f,
      List<Event> inside,
      String window,
      Map<String, Double> variances,
      Map<String, List<Timed>> columns) {
    AggregationKind kind = f.aggregation().kind();
    if (kind == AggregationKind.COUNT) {
      return (long) inside.size(); // rows, nulls included
    }
    ColumnType type = f.inputType();
    List<Timed> timed =
        columns.computeIfAbsent(
            window + f.column(),
            c -> {
              List<Timed> l = new ArrayList<>();
              for (Event ev : inside) {
                Object v = ev.columns().get(f.column());
                if (v != null) { // nulls are skipped by all but count
                  l.add(new Timed(ev.timeNanos(), v));
                }
              }
              return l;
            });
    List<Object> values = new ArrayList<>(timed.size());
    for (Timed x : timed) {
      values.add(x.v());
    }
    switch (kind) {
      case SUM:
        return sum(type, values);
      case MEAN:
        return mean(type, values);
      case VARIANCE:
      case STDDEV:
        {
          String memo = window + f.column();
          Double v = variances.containsKey(memo) ? variances.get(memo) : variance(type, values);
          variances.put(memo, v);
          return v == null || kind == AggregationKind.VARIANCE ? v : (Double) Math.sqrt(v);
        }
      case MIN:
        return values.stream().min(RefMath::compareValues).orElse(null);
      case MAX:
        return values.stream().max(RefMath::compareValues).orElse(null);
      case FIRST:
        return timed.stream().min(ReferenceFeatures::compareTimed).map(Timed::v).orElse(null);
      case LAST:
        return timed.stream().max(ReferenceFeatures::compareTimed).map(Timed::v).orElse(null);
      case APPROX_COUNT_DISTINCT:
        {
          Set<Object> distinct = new HashSet<>(values); // Double.equals: one NaN, -0.0 != 0.0
          return (long) distinct.size();
        }
      case APPROX_QUANTILE:
        return quantile(f.aggregation().q(), values);
      case TOP_K:
        {
          List<Object> sorted = new ArrayList<>(new HashSet<>(values));
          sorted.sort((a, b) -> RefMath.compareValues(b, a));
          return List.copyOf(sorted.subList(0, Math.min(f.aggregation().k(), sorted.size())));
        }
      case LAST_K:
        {
          List<Timed> sorted = new ArrayList<>(timed);
          sorted.sort((a, b) -> compareTimed(b, a));
          List<Object> out = new ArrayList<>();
          for (int i = 0; i < Math.min(f.aggregation().k(), sorted.size()); i++) {
            out.add(sorted.get(i).v());
          }
          return List.copyOf(out);
        }
      default:
        throw new IllegalArgumentException("unknown aggregation " + kind);
    }
  }

  private static int compareTimed(Timed a, Timed b) {
    int c = Long.compare(a.t(), b.t());
    return c != 0 ? c : RefMath.compareValues(a.v(), b.v());
  }

  /** A numeric value as an exact decimal (bool: true = 1); finite doubles only. */
  private static BigDecimal exact(Object v) {
    if (v instanceof Long l) {
      return BigDecimal.valueOf(l);
    }
    if (v instanceof Boolean b) {
      return b ? BigDecimal.ONE : BigDecimal.ZERO;
    }
    return RefMath.exact((Double) v);
  }

  /** IEEE special result of adding doubles: NaN, ±Infinity, or null when all are finite. */
  private static Double special(List<Object> values) {
    boolean nan = false;
    boolean pos = false;
    boolean neg = false;
    for (Object o : values) {
      double d = (Double) o;
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

  private static boolean allNegativeZero(List<Object> values) {
    for (Object o : values) {
      double d = (Double) o;
      if (!(d == 0 && 1 / d < 0)) {
        return false;
      }
    }
    return true;
  }

  static Object sum(ColumnType type, List<Object> values) {
    if (type == ColumnType.DOUBLE) {
      if (values.isEmpty()) {
        return 0.0;
      }
      Double s = special(values);
      if (s != null) {
        return s;
      }
      BigDecimal total = BigDecimal.ZERO;
      for (Object v : values) {
        total = total.add(exact(v));
      }
      if (total.signum() == 0) {
        return allNegativeZero(values) ? -0.0 : 0.0;
      }
      return RefMath.round(total);
    }
    BigInteger total = BigInteger.ZERO;
    for (Object v : values) {
      total = total.add(exact(v).toBigIntegerExact());
    }
    return total.bitLength() < 64 ? (Object) total.longValueExact() : null;
  }

  static Double mean(ColumnType type, List<Object> values) {
    if (values.isEmpty()) {
      return null;
    }
    if (type == ColumnType.DOUBLE) {
      Double s = special(values);
      if (s != null) {
        return s;
      }
    }
    BigDecimal total = BigDecimal.ZERO;
    for (Object v : values) {
      total = total.add(exact(v));
    }
    if (total.signum() == 0) {
      return type == ColumnType.DOUBLE && allNegativeZero(values) ? -0.0 : 0.0;
    }
    return RefMath.round(total, BigDecimal.valueOf(values.size()));
  }

  /**
   * Sample variance Σ(x − mean)² / (n − 1) with the exact mean S/n: Σ(n·x − S)² / (n²·(n − 1)),
   * rounded once. NaN when a value is NaN or infinite; null for fewer than 2 values.
   */
  static Double variance(ColumnType type, List<Object> values) {
    int n = values.size();
    if (n < 2) {
      return null;
    }
    if (type == ColumnType.DOUBLE) {
      for (Object v : values) {
        if (!Double.isFinite((Double) v)) {
          return Double.NaN;
        }
      }
    }
    BigDecimal s = BigDecimal.ZERO;
    for (Object v : values) {
      s = s.add(exact(v));
    }
    BigDecimal bn = BigDecimal.valueOf(n);
    BigDecimal squares = BigDecimal.ZERO;
    for (Object v : values) {
      BigDecimal dev = bn.multiply(exact(v)).subtract(s);
      squares = squares.add(dev.multiply(dev));
    }
    if (squares.signum() == 0) {
      return 0.0;
    }
    return RefMath.round(squares, bn.multiply(bn).multiply(BigDecimal.valueOf(n - 1L)));
  }

  /**
   * The exact value of 0-based rank floor(q·(n − 1)) in ascending order of the non-null, non-NaN
   * values (ints as the nearest double); q is taken as written (its shortest decimal form).
   */
  static Double quantile(double q, List<Object> values) {
    List<Double> xs = new ArrayList<>();
    for (Object v : values) {
      double d = v instanceof Long l ? (double) l : (Double) v;
      if (!Double.isNaN(d)) {
        xs.add(d);
      }
    }
    if (xs.isEmpty()) {
      return null;
    }
    xs.sort(RefMath::compareValues);
    int rank =
        BigDecimal.valueOf(q)
            .multiply(BigDecimal.valueOf(xs.size() - 1L))
            .setScale(0, java.math.RoundingMode.FLOOR)
            .intValueExact();
    return xs.get(rank);
  }
}
