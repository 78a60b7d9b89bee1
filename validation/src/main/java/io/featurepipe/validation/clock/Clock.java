package io.featurepipe.validation.clock;

import java.io.Serializable;
import java.time.Instant;

/**
 * Where checks that compare with "now" (timestamps too far in the future, freshness) get it.
 * Serializable, so it travels with the transforms; tests pass a fixed clock.
 */
@FunctionalInterface
public interface Clock extends Serializable {
  Instant now();

  /** The machine's clock. */
  static Clock system() {
    return Instant::now;
  }

  /** Always {@code instant}. */
  static Clock fixed(Instant instant) {
    long millis = instant.toEpochMilli();
    return () -> Instant.ofEpochMilli(millis);
  }
}
