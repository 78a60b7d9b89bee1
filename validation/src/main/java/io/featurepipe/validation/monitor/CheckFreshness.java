package io.featurepipe.validation.monitor;

import io.featurepipe.transforms.record.Alert;
import io.featurepipe.validation.clock.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Checks readings of online watermarks, {@code KV<group, watermark epoch millis>} (read from the
 * store's watermark cells by whoever schedules the check, e.g. a periodic impulse), against now:
 * an alert per stale reading ({@link FreshnessCheck}). Sets the gauge {@code
 * featurepipe:freshness_lag_seconds_<group>}.
 *
 * <pre>{@code
 * readings.apply("CheckFreshness", CheckFreshness.of(Map.of("user_spend", FreshnessPolicy.forGroup(g))));
 * }</pre>
 */
public final class CheckFreshness extends PTransform<PCollection<KV<String, Long>>, PCollection<Alert>> {
  private final Map<String, FreshnessPolicy> policies;
  private final Clock clock;

  private CheckFreshness(Map<String, FreshnessPolicy> policies, Clock clock) {
    this.policies = policies;
    this.clock = clock;
  }

  /** Policies per group; readings of groups without one are an error. */
  public static CheckFreshness of(Map<String, FreshnessPolicy> policies) {
    return new CheckFreshness(new LinkedHashMap<>(policies), Clock.system());
  }

  public CheckFreshness withClock(Clock newClock) {
    return new CheckFreshness(policies, newClock);
  }

  @Override
  public PCollection<Alert> expand(PCollection<KV<String, Long>> readings) {
    return readings.apply("Check", ParDo.of(new CheckFn(policies, clock))).setCoder(Alert.Coder.of());
  }

  private static final class CheckFn extends DoFn<KV<String, Long>, Alert> {
    private final Map<String, FreshnessPolicy> policies;
    private final Clock clock;

    CheckFn(Map<String, FreshnessPolicy> policies, Clock clock) {
      this.policies = policies;
      this.clock = clock;
    }

    @ProcessElement
    public void process(@Element KV<String, Long> reading, OutputReceiver<Alert> out) {
      String group = reading.getKey();
      FreshnessPolicy policy = policies.get(group);
      if (policy == null) {
        throw new IllegalArgumentException("no freshness policy for group '" + group + "'; known: " + policies.keySet());
      }
      Instant now = clock.now();
      Instant watermark = Instant.ofEpochMilli(reading.getValue());
      Metrics.gauge("featurepipe", "freshness_lag_seconds_" + group).set(FreshnessCheck.lag(watermark, now).toSeconds());
      FreshnessCheck.check(group, watermark, now, policy).ifPresent(out::output);
    }
  }
}
