package io.featurepipe.transforms.record;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * One parsed event of a source: its event time at full precision, and its column values in the
 * order of {@link io.featurepipe.transforms.model.SourceDef#fields()} (see
 * {@link io.featurepipe.transforms.model.ColumnType} for the Java types). {@code origin} says where
 * it was read (file and line, topic and offset) for dead letters; it may be empty.
 *
 * <p>The Beam element timestamp of a record is its event time floored to the millisecond.
 */
public final class SourceRecord implements Serializable {
  private final String source;
  private final long eventTimeNanos;
  private final Object[] values;
  private final String origin;

  public SourceRecord(String source, long eventTimeNanos, Object[] values, String origin) {
    this.source = Objects.requireNonNull(source, "source");
    this.eventTimeNanos = eventTimeNanos;
    this.values = Objects.requireNonNull(values, "values");
    this.origin = origin == null ? "" : origin;
  }

  public String source() {
    return source;
  }

  public long eventTimeNanos() {
    return eventTimeNanos;
  }

  /** The event time floored to the millisecond: the element's Beam timestamp. */
  public long eventTimeMillis() {
    return Math.floorDiv(eventTimeNanos, 1_000_000L);
  }

  public Object value(int index) {
    return values[index];
  }

  /** The values; callers must not modify the array. */
  public Object[] values() {
    return values;
  }

  public String origin() {
    return origin;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SourceRecord r
        && source.equals(r.source)
        && eventTimeNanos == r.eventTimeNanos
        && Arrays.deepEquals(values, r.values)
        && origin.equals(r.origin);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, eventTimeNanos, Arrays.deepHashCode(values), origin);
  }

  @Override
  public String toString() {
    return source + "@" + eventTimeNanos + Arrays.deepToString(values);
  }
}
