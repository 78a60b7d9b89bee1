package io.featurepipe.pipelines.ingest;

import java.io.Serializable;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * The Beam counters of reading one source (namespace {@code featurepipe}): {@code
 * records_read_<source>} and {@code dead_letters_decode_<source>}.
 */
public final class SourceCounters implements Serializable {
  public static final String NAMESPACE = "featurepipe";

  private final Counter read;
  private final Counter deadLetters;

  public SourceCounters(String source) {
    this.read = Metrics.counter(NAMESPACE, readName(source));
    this.deadLetters = Metrics.counter(NAMESPACE, deadLettersName(source));
  }

  public static String readName(String source) {
    return "records_read_" + source;
  }

  public static String deadLettersName(String source) {
    return "dead_letters_decode_" + source;
  }

  public void recordRead() {
    read.inc();
  }

  public void deadLetter() {
    deadLetters.inc();
  }
}
