package io.featurepipe.transforms.reference;

import io.featurepipe.transforms.record.SourceRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random events of the {@code events} source ({@link ReferenceRepository#FIELDS}), key by key, each
 * key following one scenario. Seeds fix everything. Times are epoch nanoseconds with sub-millisecond
 * parts, and deliberately hit hop boundaries (exactly, and one nanosecond either side), repeat
 * (equal timestamps, so ties are broken by value), and leave gaps shorter and longer than the
 * groups' longest windows.
 */
final class EventGenerator {
  static final long NS = 1_000_000L; // nanos per milli
  static final long SECOND = 1000 * NS;
  static final long MINUTE = 60 * SECOND;
  /** 2024-03-10T00:00:00Z, a multiple of every hop. */
  static final long T0 = 1_710_028_800_000L * NS;

  enum Scenario {
    BURST,
    GAPS,
    SINGLE,
    SPARSE,
    SAME_TIMESTAMP,
    PRE_EPOCH,
    NULLS,
    SPECIAL_DOUBLES,
    HUGE_INTS,
    BOUNDARIES
  }

  static final double[] SPECIAL_DOUBLES = {
    Double.NaN,
    Double.longBitsToDouble(0x7ff0_0000_0000_0001L), // a NaN with another payload
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY,
    Double.MAX_VALUE,
    -Double.MAX_VALUE,
    1e308,
    -1e308,
    Double.MIN_VALUE,
    -Double.MIN_VALUE,
    1e-310,
    1e-300,
    Double.MIN_NORMAL,
    0.0,
    -0.0,
    1.0,
    1e16,
    -1e16,
    0.1,
    123456789.123,
  };

  static final double[] COMMON_DOUBLES = {-1.5, 0.0, -0.0, 0.1, 0.2, 0.3, 2.5, 1e-3, 7.0, 1e6};

  static final long[] HUGE_INTS = {
    Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1, 1L << 62, -(1L << 62),
    (1L << 53) + 1, -(1L << 53) - 1, 0, 1, -1,
  };

  /** Strings whose code-point order differs from their UTF-16 order, and near-duplicates. */
  static final String[] STRINGS = {
    "a", "b", "ab", "B", "", "é", "e\u0301", "\uFFFD", "\uE000", "\uD83D\uDE00", "z\uD83D\uDE00",
    "zz", "z\uFFFF", "merchant-1", "merchant-2", " a", "a "
  };

  private final Random random;
  private final double nullChance;

  EventGenerator(long seed) {
    this(seed, 0.12);
  }

  EventGenerator(long seed, double nullChance) {
    this.random = new Random(seed);
    this.nullChance = nullChance;
  }

  Random random() {
    return random;
  }

  /** Events of {@code keys} keys, cycling through every scenario first. */
  List<SourceRecord> keys(String prefix, int keys) {
    List<SourceRecord> out = new ArrayList<>();
    Scenario[] all = Scenario.values();
    for (int k = 0; k < keys; k++) {
      Scenario s = k < all.length ? all[k] : all[random.nextInt(all.length)];
      String key = prefix + k + "_" + s.name().toLowerCase();
      if (k == 1) {
        key = prefix + "\u00fc\uD83D\uDE00_" + s.name().toLowerCase(); // a non-ASCII key
      }
      out.addAll(scenario(key, s));
    }
    return out;
  }

  List<SourceRecord> scenario(String key, Scenario s) {
    long start = T0 + random.nextInt(60) * MINUTE + random.nextInt(4) * 15 * SECOND;
    List<Long> times = new ArrayList<>();
    Values values = new Values(nullChance, false, false);
    switch (s) {
      case BURST -> burst(times, start, (2 + random.nextInt(10)) * MINUTE, 20 + random.nextInt(40));
      case GAPS -> {
        long at = start;
        int bursts = 3 + random.nextInt(2);
        for (int b = 0; b < bursts; b++) {
          long len = (1 + random.nextInt(4)) * MINUTE;
          burst(times, at, len, 5 + random.nextInt(10));
          // gaps shorter than g_minute's 12m ttl but longer than g_half's 90s, or longer than all
          long gap =
              random.nextBoolean()
                  ? (2 + random.nextInt(8)) * MINUTE + random.nextInt(1000) * NS
                  : (40 + random.nextInt(30)) * MINUTE + random.nextInt(1000) * NS + random.nextInt(1000);
          at += len + gap;
        }
      }
      case SINGLE -> times.add(random.nextBoolean() ? start : start + random.nextInt(1_000_000_000));
      case SPARSE -> {
        int n = 10 + random.nextInt(15);
        for (int i = 0; i < n; i++) {
          times.add(start + (long) (random.nextDouble() * 90 * MINUTE));
        }
      }
      case SAME_TIMESTAMP -> {
        long t = random.nextBoolean() ? start : start + 17 * SECOND + 123_456;
        int n = 8 + random.nextInt(8);
        for (int i = 0; i < n; i++) {
          times.add(t);
        }
        times.add(t + 1); // one nanosecond later: same millisecond, later event
        times.add(t - 1);
      }
      case PRE_EPOCH -> burst(times, -8 * MINUTE + random.nextInt(1000), 12 * MINUTE, 20 + random.nextInt(20));
      case NULLS -> {
        values = new Values(0.7, false, false);
        burst(times, start, 5 * MINUTE, 15 + random.nextInt(15));
      }
      case SPECIAL_DOUBLES -> {
        values = new Values(nullChance, true, false);
        burst(times, start, (2 + random.nextInt(6)) * MINUTE, 20 + random.nextInt(30));
      }
      case HUGE_INTS -> {
        values = new Values(nullChance, false, true);
        burst(times, start, (2 + random.nextInt(6)) * MINUTE, 20 + random.nextInt(30));
      }
      case BOUNDARIES -> {
        // every event on, or one nanosecond around, a 30s boundary (some are 1m and 5m ones)
        int n = 20 + random.nextInt(20);
        for (int i = 0; i < n; i++) {
          long b = start + random.nextInt(16) * 30 * SECOND;
          times.add(b + (random.nextInt(3) - 1));
        }
      }
    }
    List<SourceRecord> out = new ArrayList<>();
    for (long t : times) {
      out.add(record(key, t, values));
    }
    // a row of nothing but nulls (the key still counts it)
    if (s == Scenario.NULLS) {
      out.add(new SourceRecord("events", times.get(0), new Object[] {times.get(0), key, 0L, null, null, null, null, null}, ""));
    }
    return out;
  }

  /** {@code n} times in [start, start + len), a fifth of them on or next to hop boundaries or repeated. */
  void burst(List<Long> times, long start, long len, int n) {
    int first = times.size();
    for (int i = 0; i < n; i++) {
      int kind = random.nextInt(20);
      long t = start + (long) (random.nextDouble() * len);
      if (kind == 0) {
        t = Math.floorDiv(t, 5 * MINUTE) * 5 * MINUTE; // 5m boundary: a boundary of every hop
      } else if (kind == 1) {
        t = Math.floorDiv(t, MINUTE) * MINUTE;
      } else if (kind == 2) {
        t = Math.floorDiv(t, 30 * SECOND) * 30 * SECOND + (random.nextBoolean() ? 1 : -1);
      } else if ((kind == 3 || kind == 4) && times.size() > first) {
        t = times.get(first + random.nextInt(times.size() - first)); // equal timestamps
      }
      times.add(t);
    }
  }

  private final class Values {
    final double nulls;
    final boolean special;
    final boolean huge;

    Values(double nulls, boolean special, boolean huge) {
      this.nulls = nulls;
      this.special = special;
      this.huge = huge;
    }

    boolean isNull() {
      return random.nextDouble() < nulls;
    }

    Long i() {
      if (isNull()) {
        return null;
      }
      if (huge && random.nextInt(5) < 3) {
        return HUGE_INTS[random.nextInt(HUGE_INTS.length)];
      }
      return random.nextInt(4) < 3 ? (long) (random.nextInt(16) - 3) : (long) (random.nextInt(2_000_001) - 1_000_000);
    }

    Double d() {
      if (isNull()) {
        return null;
      }
      if (special && random.nextInt(5) < 3) {
        return SPECIAL_DOUBLES[random.nextInt(SPECIAL_DOUBLES.length)];
      }
      return random.nextInt(5) < 2
          ? COMMON_DOUBLES[random.nextInt(COMMON_DOUBLES.length)]
          : random.nextGaussian() * Math.pow(10, random.nextInt(7) - 2);
    }

    String s() {
      return isNull() ? null : STRINGS[random.nextInt(STRINGS.length)];
    }

    Boolean b() {
      return isNull() ? null : random.nextBoolean();
    }

    Long t(long eventTime) {
      if (isNull()) {
        return null;
      }
      int kind = random.nextInt(4);
      return kind == 0 ? eventTime : eventTime + random.nextInt(2_000_000_000) - 1_000_000_000L + kind;
    }
  }

  private SourceRecord record(String key, long t, Values v) {
    Object[] values = {t, key, (long) random.nextInt(11), v.i(), v.d(), v.s(), v.b(), v.t(t)};
    return new SourceRecord("events", t, values, "");
  }

  /**
   * Hand-picked keys, each within one 30s hop (so in the windows of every group): exact arithmetic
   * at the edges of the double and long ranges, signed zeros, subnormals, NaN and infinities on tied
   * timestamps, duplicate (time, value) events, and approx_count_distinct at 1023, 1024 and 1025
   * distinct values (exact below 1024).
   */
  static List<SourceRecord> curated() {
    List<SourceRecord> out = new ArrayList<>();
    long at = T0 + 7 * MINUTE + 3 * SECOND + 17;
    double max = Double.MAX_VALUE;
    double min = Double.MIN_VALUE;
    double inf = Double.POSITIVE_INFINITY;
    curatedKey(out, "c_overflow", at, new Object[][] {
      {Long.MAX_VALUE, max, "a", true}, {Long.MAX_VALUE, max, "b", true}, {Long.MIN_VALUE, -max / 2, "c", false}});
    curatedKey(out, "c_negzero", at, new Object[][] {{0L, -0.0, "", false}, {0L, -0.0, "", false}});
    curatedKey(out, "c_mixzero", at, new Object[][] {{0L, -0.0, "", false}, {-0L, 0.0, "", true}});
    curatedKey(out, "c_subnormal", at, new Object[][] {{1L, min, "x", null}, {2L, min, "y", null}, {3L, -3 * min, "z", null}});
    curatedKey(out, "c_tiny_mean", at, new Object[][] {{1L, -min, "x", null}, {1L, 0.0, "x", null}, {1L, 0.0, "x", null}});
    curatedKey(out, "c_nan_tie", at, new Object[][] {{1L, Double.NaN, "b", true}, {2L, 1.0, "a", false}, {3L, inf, "\uD83D\uDE00", true}});
    curatedKey(out, "c_duplicates", at, new Object[][] {{4L, 2.5, "d", true}, {4L, 2.5, "d", true}, {4L, 2.5, "d", true}, {1L, 0.5, "e", false}});
    curatedKey(out, "c_huge_int_var", at, new Object[][] {{Long.MAX_VALUE, 0.0, null, null}, {Long.MIN_VALUE, 0.0, null, null}, {0L, 0.0, null, null}});
    curatedKey(out, "c_identical", at, new Object[][] {{7L, 0.1, "s", true}, {7L, 0.1, "s", true}, {7L, 0.1, "s", true}});
    curatedKey(out, "c_inf_quantile", at, new Object[][] {{1L, -inf, null, null}, {2L, -inf, null, null}, {3L, 5.0, null, null}, {4L, inf, null, null}});
    curatedKey(out, "c_variance_overflow", at, new Object[][] {{1L, 1e200, null, null}, {2L, -1e200, null, null}});
    curatedKey(out, "c_inf_cancel", at, new Object[][] {{1L, inf, null, null}, {2L, -inf, null, null}});
    for (int n : new int[] {1023, 1024, 1025}) {
      Object[][] rows = new Object[n][];
      for (int k = 0; k < n; k++) {
        rows[k] = new Object[] {(long) k, k / 8.0, "v" + k, k % 2 == 0};
      }
      curatedKey(out, "c_distinct_" + n, at, rows);
    }
    return out;
  }

  /** One key: row k at {@code at + k} ns (all tied when there are few), columns i, d, s, b; t = time. */
  private static void curatedKey(List<SourceRecord> out, String key, long at, Object[][] rows) {
    for (int k = 0; k < rows.length; k++) {
      long t = rows.length <= 4 ? at + (k % 2) : at + k * 1000L;
      Object[] r = rows[k];
      out.add(new SourceRecord("events", t, new Object[] {t, key, 0L, r[0], r[1], r[2], r[3], t}, ""));
    }
  }

  /** One hot key: {@code n} events over {@code minutes} minutes, values of wide domains. */
  List<SourceRecord> hotKey(String key, int n, int minutes) {
    List<SourceRecord> out = new ArrayList<>(n);
    long start = T0 + 7 * MINUTE;
    for (int k = 0; k < n; k++) {
      long t = start + (long) (random.nextDouble() * minutes * MINUTE);
      if (k % 97 == 0) {
        t = Math.floorDiv(t, MINUTE) * MINUTE;
      }
      Object[] values = {
        t,
        key,
        (long) random.nextInt(11),
        random.nextInt(10) == 0 ? null : (long) random.nextInt(5000),
        random.nextInt(10) == 0 ? null : Math.round(random.nextGaussian() * 1e6) / 100.0,
        random.nextInt(10) == 0 ? null : "s" + random.nextInt(3000),
        random.nextInt(10) == 0 ? null : random.nextBoolean(),
        random.nextInt(10) == 0 ? null : t + random.nextInt(1000),
      };
      out.add(new SourceRecord("events", t, values, ""));
    }
    return out;
  }
}
