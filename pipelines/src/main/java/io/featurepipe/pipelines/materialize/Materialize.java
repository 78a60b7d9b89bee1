package io.featurepipe.pipelines.materialize;

import io.featurepipe.sinks.deadletter.WriteDeadLetters;
import io.featurepipe.sinks.offline.ReadOffline;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.OnlineWriteResult;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * {@code materialize} (DESIGN §5): the published offline partitions of a range of days → the online
 * store ({@link MaterializeRows}), then the watermark cell M advanced through the range. Reads the
 * partitions {@code from..to} of each chosen group (an unpublished one fails the run: backfill it
 * first) and the day before when it is published (it decides the explicit empties at the range's
 * first window end).
 *
 * <p>When a stream is registered for a group, only the window ends before its first owned one and
 * final ({@code <= M - allowed_lateness}) are written: run materialize for the days before the
 * stream's start once the stream's M has passed its first owned window end by the allowed
 * lateness. When none is, every window end of the range is written and M moves to the range's end.
 *
 * <pre>{@code
 * PrepareOnlineStore.of(target, repository).prepare();
 * Materialize.build(pipeline, new Materialize.Spec(repository, "offline/", from, to, List.of(), target, null));
 * pipeline.run().waitUntilFinish();
 * }</pre>
 *
 * <p>Rows the store refuses (of another version, with a value that does not fit its type) are
 * written as JSON lines under {@link Spec#deadLetters()}.
 *
 * <p>Steps: {@code ReadOffline}, {@code ReadOfflineDayBefore}, {@code WithDayBefore}, {@code
 * MaterializeRows}, {@code WriteDeadLetters}.
 */
public final class Materialize {

  /**
   * What to materialize.
   *
   * @param groups the groups; empty for every group that is both offline and online
   * @param deadLetterRoot where rows the store refuses go (JSON lines); null for {@code
   *     <offlineRoot>/_dead_letters/materialize-<from>-<to>}
   */
  public record Spec(
      FeatureRepository repository,
      String offlineRoot,
      LocalDate from,
      LocalDate to,
      Collection<String> groups,
      BigtableTarget target,
      String deadLetterRoot) {

    public Spec {
      Objects.requireNonNull(repository, "repository");
      Objects.requireNonNull(offlineRoot, "offlineRoot");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(target, "target");
      if (to.isBefore(from)) {
        throw new IllegalArgumentException("--to " + to + " is before --from " + from);
      }
      groups = groups == null ? List.of() : List.copyOf(groups);
      for (String g : groups) {
        FeatureGroupDef def = repository.group(g);
        if (!def.online() || !def.offline()) {
          throw new IllegalArgumentException(
              "feature group '" + g + "' is " + (def.online() ? "not offline" : "not online")
                  + ": materialize copies offline partitions into the online store");
        }
      }
    }

    /** Where rows the store refuses are written. */
    public String deadLetters() {
      if (deadLetterRoot != null) {
        return deadLetterRoot;
      }
      String root = offlineRoot.endsWith("/") ? offlineRoot.substring(0, offlineRoot.length() - 1) : offlineRoot;
      return root + "/_dead_letters/materialize-" + from + "-" + to;
    }

    /** The groups this run materializes, in definition order. */
    public List<String> chosenGroups() {
      List<String> out = new ArrayList<>();
      for (FeatureGroupDef g : repository.allGroups()) {
        if (groups.isEmpty() ? g.online() && g.offline() : groups.contains(g.name())) {
          out.add(g.name());
        }
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("no feature group of the repository is both offline and online");
      }
      return out;
    }
  }

  private Materialize() {}

  /** Adds the materialization to a pipeline; the online store must be prepared. */
  public static OnlineWriteResult build(Pipeline pipeline, Spec spec) {
    List<String> groups = spec.chosenGroups();
    FeatureRepository repo = spec.repository();
    PCollection<FeatureRow> range =
        pipeline.apply("ReadOffline", ReadOffline.of(repo, spec.offlineRoot(), groups, spec.from(), spec.to()));
    LocalDate before = spec.from().minusDays(1);
    PCollection<FeatureRow> dayBefore =
        pipeline.apply(
            "ReadOfflineDayBefore",
            ReadOffline.of(repo, spec.offlineRoot(), groups, before, before).allowingMissing());
    OnlineWriteResult written =
        PCollectionList.of(dayBefore)
            .and(range)
            .apply("WithDayBefore", Flatten.pCollections())
            .apply(
                "MaterializeRows",
                MaterializeRows.of(spec.target(), repo, spec.from(), spec.to()).withGroups(groups));
    written.deadLetters().apply("WriteDeadLetters", WriteDeadLetters.to(spec.deadLetters() + "/dead-letters"));
    return written;
  }
}
