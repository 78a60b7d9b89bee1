package io.featurepipe.transforms.expr;

import java.io.Serializable;
import java.util.Map;

/**
 * Custom logic a feature group can name ({@code custom: {class: ...}}): a plain function from a
 * row's columns to extra derived columns. It must be deterministic and side-effect free, like a CEL
 * expression; featurepipe creates one instance per worker with the public no-argument constructor.
 *
 * <pre>{@code
 * public final class HourOfDay implements RowFunction {
 *   public Map<String, Object> apply(Map<String, Object> row) {
 *     long nanos = (Long) row.get("event_time");
 *     return Map.of("hour", (nanos / 3_600_000_000_000L) % 24);
 *   }
 * }
 * }</pre>
 *
 * <p>Values follow {@link io.featurepipe.transforms.model.ColumnType}; timestamps are epoch
 * nanoseconds. Throwing sends the record to the dead-letter output with the exception's message.
 */
public interface RowFunction extends Serializable {
  Map<String, Object> apply(Map<String, Object> row);
}
