package io.featurepipe.runners;

import io.featurepipe.transforms.model.FeatureRepository;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;

/** The featurepipe counters of a finished run, printed as a short summary. */
record RunSummary(Map<String, Long> counters, FeatureRepository repository) {

  static RunSummary of(PipelineResult result, FeatureRepository repository) {
    return new RunSummary(PipelineRun.counters(result), repository);
  }

  long get(String name) {
    return counters.getOrDefault(name, 0L);
  }

  /**
   * A line per source whose records per day raised volume alerts (counted as {@code
   * alerts_<source>_volume}), or nothing: the days themselves are in the alerts (logged on {@code
   * featurepipe.alerts}, written by {@code --alerts DIR}).
   */
  String volumeAlerts() {
    StringBuilder b = new StringBuilder();
    for (String source : repository.sources().keySet()) {
      long n = get("alerts_" + source + "_volume");
      if (n > 0) {
        b.append(String.format(
            "volume: %d day%s of source %s far from the days before (alerts, not blocking: logger featurepipe.alerts, --alerts DIR)%n",
            n, n == 1 ? "" : "s", source));
      }
    }
    return b.toString();
  }

  String render() {
    StringBuilder b = new StringBuilder();
    for (String source : repository.sources().keySet()) {
      if (counters.containsKey("records_read_" + source) || counters.containsKey("dead_letters_decode_" + source)) {
        b.append(String.format("source %-24s %,10d records read, %,d undecodable (dead letters)%n",
            source, get("records_read_" + source), get("dead_letters_decode_" + source)));
      }
    }
    for (String group : repository.groups().keySet()) {
      if (counters.containsKey("rows_" + group)) {
        b.append(String.format("group  %-24s %,10d feature rows, %,d records filtered out, %,d dead letters%n",
            group, get("rows_" + group), get("filtered_out_" + group), get("dead_letters_prepare_" + group)));
      }
    }
    b.append(String.format("dead letters in all: %,d%n", get("dead_letters")));
    return b.toString();
  }
}
