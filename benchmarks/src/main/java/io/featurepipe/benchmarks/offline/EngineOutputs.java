package io.featurepipe.benchmarks.offline;

import java.time.LocalDate;
import java.util.Map;
import java.util.Set;

/**
 * An engine's outputs, read back in one shape for comparison: values in feature order, counts as
 * {@link Long}, the others as {@link Double} or null.
 */
interface EngineOutputs {

  /** The rows of a group with a window end on one of {@code dates}, by {@link #rowId}. */
  Map<String, Object[]> featureRows(BenchFeatures.Group group, Set<LocalDate> dates) throws Exception;

  /**
   * The training rows whose {@link #spineId} is in {@code ids}: the values of
   * {@link BenchFeatures#trainingColumns()}. Spine rows that share an id (two payments of a user at
   * one merchant at one instant) share their values.
   */
  Map<String, Object[]> trainingRows(Set<String> ids) throws Exception;

  static String rowId(String key, long windowEndMillis) {
    return key + "@" + windowEndMillis;
  }

  /** A spine row's identity: its keys and its time as written in the spine. */
  static String spineId(String userId, String merchantId, String eventTime) {
    return userId + "|" + merchantId + "|" + eventTime;
  }

  /** A value as compared: longs and doubles boxed as such, anything else numeric widened. */
  static Object normalize(Object v, BenchFeatures.Agg agg) {
    if (v == null) {
      return null;
    }
    Number n = (Number) v;
    return agg.isLong() ? (Object) n.longValue() : (Object) n.doubleValue();
  }
}
