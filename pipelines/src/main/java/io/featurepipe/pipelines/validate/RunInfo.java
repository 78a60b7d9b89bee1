package io.featurepipe.pipelines.validate;

import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * The bounded run being validated, as its {@link GateRecord} and report name it.
 *
 * @param runId the run's id
 * @param command {@code backfill} or {@code validate}
 * @param from first day
 * @param to last day (inclusive)
 * @param groups the feature groups validated, in definition order
 */
public record RunInfo(String runId, String command, LocalDate from, LocalDate to, List<String> groups)
    implements Serializable {

  public RunInfo {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("--to " + to + " is before --from " + from);
    }
    groups = List.copyOf(groups);
  }

  /** The groups of a repository a run over {@code groups} covers (empty: all), in definition order. */
  public static List<String> chosenGroups(FeatureRepository repository, Collection<String> groups) {
    List<String> out = new ArrayList<>();
    for (FeatureGroupDef g : repository.allGroups()) {
      if (groups.isEmpty() || groups.contains(g.name())) {
        out.add(g.name());
      }
    }
    return out;
  }

  /** The report's title, e.g. {@code backfill 2026-01-08..2026-01-14, run 20260110T020000-1a2b}. */
  public String title() {
    return command + " " + from + ".." + to + ", run " + runId;
  }
}
