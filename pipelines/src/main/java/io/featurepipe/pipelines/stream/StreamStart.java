package io.featurepipe.pipelines.stream;

import io.featurepipe.sinks.online.WriterOwnership;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.time.TimeRules;
import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collection;

/**
 * Where a stream begins (DESIGN §3, one writer per cell), as plain time arithmetic.
 *
 * <p>A stream started at {@code S} counts the events of its unbounded input with {@code ts >= S}.
 * Without bootstrap it has read every event since {@code S}, so {@link WriterOwnership} gives it the
 * window ends from {@code S + longest window} (rounded up to the hop) plus one hop: the first one
 * whose windows, and the window one hop earlier that decides its explicit empty, are complete.
 *
 * <p>Bootstrapped from files, it also reads the bounded files of {@code [S - lookback, S)} with
 * {@code lookback = longest window + hop} of each group, so it has read every event since
 * {@code S - lookback}: it then owns exactly the window ends from the first multiple of the hop at
 * or after {@code S}. That is what operators expect — "the stream writes from S on; materialize the
 * days before S" — and {@code materialize --to} the day before a midnight {@code S} meets it
 * without gap or overlap.
 *
 * <pre>{@code
 * StreamStart start = StreamStart.bootstrapped(Instant.parse("2026-01-14T00:00:00Z"));
 * start.readSince(group);            // 2026-01-06T23:00Z for a 7-day window on a 1-hour hop
 * start.firstOwnedWindowEnd(repo, group);   // 2026-01-14T00:00Z
 * }</pre>
 */
public record StreamStart(Instant since, boolean bootstrapped) implements Serializable {

  public StreamStart {
    if (since == null) {
      throw new IllegalArgumentException("a stream needs its start time S");
    }
  }

  /** A stream that reads only its unbounded input, from {@code since}. */
  public static StreamStart of(Instant since) {
    return new StreamStart(since, false);
  }

  /** A stream that also reads the files of the lookback before {@code since}. */
  public static StreamStart bootstrapped(Instant since) {
    return new StreamStart(since, true);
  }

  /** How far before {@code S} a bootstrapped stream reads files for a group: longest window + hop. */
  public static long lookbackMillis(FeatureGroupDef group) {
    return TimeRules.millis(group.longestWindow()) + TimeRules.millis(group.hop());
  }

  /** The time since which the stream has read every event the group uses (for {@code WriteOnline.stream}). */
  public Instant readSince(FeatureGroupDef group) {
    return bootstrapped ? since.minusMillis(lookbackMillis(group)) : since;
  }

  /** The first window end of the group the stream writes (and the batch writers leave to it). */
  public long firstOwnedWindowEnd(FeatureRepository repository, FeatureGroupDef group) {
    WriterOwnership ownership =
        new WriterOwnership(
            TimeRules.millis(group.hop()),
            TimeRules.millis(group.longestWindow()),
            TimeRules.millis(repository.source(group.source()).allowedLateness()));
    return ownership.streamOwnsFrom(readSince(group).toEpochMilli());
  }

  /**
   * The first event time a bootstrapped stream reads from a source's files: the earliest {@link
   * #readSince} of the given groups that read it.
   */
  public Instant bootstrapFrom(Collection<FeatureGroupDef> groupsOfSource) {
    Instant from = since;
    for (FeatureGroupDef g : groupsOfSource) {
      Instant s = readSince(g);
      if (s.isBefore(from)) {
        from = s;
      }
    }
    return from;
  }

  /** The UTC day of an instant (the file a bounded source keeps it in). */
  public static LocalDate dayOf(Instant t) {
    return t.atZone(ZoneOffset.UTC).toLocalDate();
  }

  /** The last UTC day holding events before {@code since} (the last file the bootstrap reads). */
  public LocalDate lastBootstrapDay() {
    return dayOf(since.minusMillis(1));
  }
}
