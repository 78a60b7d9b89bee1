package io.featurepipe.pipelines.metrics;

import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * The {@code featurepipe} counters of a pipeline run (running or finished), summed over steps, by
 * name: attempted values where the runner reports them (they include work still running),
 * committed ones otherwise.
 */
public final class Counters {
  /** The metrics namespace of every featurepipe counter. */
  public static final String NAMESPACE = "featurepipe";

  private Counters() {}

  public static Map<String, Long> of(PipelineResult result) {
    Map<String, Long> counters = new TreeMap<>();
    for (MetricResult<Long> c :
        result.metrics().queryMetrics(MetricsFilter.builder().build()).getCounters()) {
      if (c.getName().getNamespace().equals(NAMESPACE)) {
        long v;
        try {
          v = c.getAttempted();
        } catch (UnsupportedOperationException e) {
          v = c.getCommitted();
        }
        counters.merge(c.getName().getName(), v, Long::sum);
      }
    }
    return counters;
  }
}
