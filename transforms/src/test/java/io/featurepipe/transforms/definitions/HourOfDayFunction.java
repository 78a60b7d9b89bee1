package io.featurepipe.transforms.definitions;

import io.featurepipe.transforms.expr.RowFunction;
import java.util.Map;

/** Test custom logic: the UTC hour of the event time. */
public final class HourOfDayFunction implements RowFunction {
  @Override
  public Map<String, Object> apply(Map<String, Object> row) {
    long nanos = (Long) row.get("event_time");
    return Map.of("hour", Math.floorMod(nanos / 3_600_000_000_000L, 24L));
  }
}
