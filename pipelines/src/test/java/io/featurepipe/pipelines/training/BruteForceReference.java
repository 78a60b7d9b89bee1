package io.featurepipe.pipelines.training;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;

/**
 * Training-set values straight from raw events, sharing no code with the pipeline: for a spine
 * time {@code t}, {@code e = floor((t - delay) / hop) * hop} in nanoseconds, then each feature
 * aggregates the key's events with {@code e - window <= ts < e} by scanning them. Covers the
 * aggregations of {@link ReferenceTrainingSetTest}'s repository.
 */
final class BruteForceReference {
  /** One raw event: time in nanos, user, shop, amount (nullable), tag (nullable). */
  record Event(long ts, String user, long shop, Double amount, String tag) {}

  private static final long HOUR = 3_600_000_000_000L;
  private static final long MINUTE = 60_000_000_000L;

  private BruteForceReference() {}

  static long windowEnd(long t, long delay, long hop) {
    return Math.floorDiv(t - delay, hop) * hop;
  }

  static List<Event> inWindow(List<Event> events, long e, long window) {
    List<Event> out = new ArrayList<>();
    for (Event ev : events) {
      if (e - window <= ev.ts() && ev.ts() < e) {
        out.add(ev);
      }
    }
    out.sort(Comparator.comparingLong(Event::ts));
    return out;
  }

  /** user_activity: hop 1h, no delay, ttl 4h. */
  static List<Object> user(List<Event> all, String user, long t) {
    List<Event> mine = all.stream().filter(ev -> ev.user().equals(user)).toList();
    long e = windowEnd(t, 0, HOUR);
    List<Object> out = new ArrayList<>();
    out.add((long) inWindow(mine, e, 2 * HOUR).size()); // count 2h
    List<Double> a3 = amounts(inWindow(mine, e, 3 * HOUR));
    out.add(a3.stream().mapToDouble(Double::doubleValue).sum()); // sum 3h (whole numbers: exact)
    List<Double> a1 = amounts(inWindow(mine, e, HOUR));
    out.add(a1.isEmpty() ? null : a1.stream().min(Double::compare).get()); // min 1h
    out.add(a1.isEmpty() ? null : a1.stream().max(Double::compare).get()); // max 1h
    List<Double> a4 = amounts(inWindow(mine, e, 4 * HOUR));
    out.add(a4.isEmpty() ? null : a4.get(0)); // first, ttl
    List<String> t4 = tags(inWindow(mine, e, 4 * HOUR));
    out.add(t4.isEmpty() ? null : t4.get(t4.size() - 1)); // last tag, ttl
    List<String> t2 = tags(inWindow(mine, e, 2 * HOUR));
    List<Object> last3 = new ArrayList<>();
    for (int i = t2.size() - 1; i >= 0 && last3.size() < 3; i--) {
      last3.add(t2.get(i));
    }
    out.add(last3); // last_k(3) tag 2h, latest first
    out.add((long) new HashSet<>(t4).size()); // distinct tags, ttl (exact below 1024)
    return out;
  }

  /** shop_activity: hop 30m, delay 5m, ttl 2h. */
  static List<Object> shop(List<Event> all, long shop, long t) {
    List<Event> mine = all.stream().filter(ev -> ev.shop() == shop).toList();
    long e = windowEnd(t, 5 * MINUTE, 30 * MINUTE);
    List<Object> out = new ArrayList<>();
    out.add((long) inWindow(mine, e, HOUR).size()); // count 1h
    List<Double> a2 = amounts(inWindow(mine, e, 2 * HOUR));
    out.add(a2.isEmpty() ? null : a2.stream().mapToDouble(Double::doubleValue).sum() / a2.size()); // mean, ttl
    return out;
  }

  private static List<Double> amounts(List<Event> events) {
    List<Double> out = new ArrayList<>();
    events.forEach(ev -> {
      if (ev.amount() != null) {
        out.add(ev.amount());
      }
    });
    return out;
  }

  private static List<String> tags(List<Event> events) {
    List<String> out = new ArrayList<>();
    events.forEach(ev -> {
      if (ev.tag() != null) {
        out.add(ev.tag());
      }
    });
    return out;
  }
}
