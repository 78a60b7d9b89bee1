package io.featurepipe.validation.testing;

import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/** Reads the featurepipe counters of a finished pipeline. */
public final class Counters {
  private Counters() {}

  public static long get(PipelineResult result, String name) {
    long sum = 0;
    for (MetricResult<Long> c :
        result.metrics()
            .queryMetrics(MetricsFilter.builder().addNameFilter(MetricNameFilter.named("featurepipe", name)).build())
            .getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }
}
