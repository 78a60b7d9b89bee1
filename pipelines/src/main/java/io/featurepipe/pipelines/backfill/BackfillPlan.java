package io.featurepipe.pipelines.backfill;

import io.featurepipe.sinks.offline.OfflineStore;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The plan of a resumable backfill over a long range: the chunks of at most {@code chunkDays}
 * consecutive days to run one after the other, skipping the days already published for every
 * chosen group (their {@code _PUBLISHED} exists for the group's current version) unless forced. A
 * backfill that stopped half-way is resumed by running the same command again: the days it
 * published are skipped, the others run. Each chunk is an ordinary backfill {@code --from
 * chunk.from() --to chunk.to()}; it reads its own lookback, so chunks are independent.
 *
 * <pre>{@code
 * BackfillPlan plan = BackfillPlan.of(repo, from, to, groups, offlineRoot).withChunkDays(7);
 * for (BackfillPlan.Chunk c : plan.chunks()) {
 *   run(new Backfill.Spec(repo, dataRoot, c.from(), c.to(), groups, offlineRoot, runId, null));
 * }
 * }</pre>
 *
 * <p>Groups with {@code offline: false} publish nothing and do not count; when no chosen group is
 * offline, no day counts as done. Days are UTC dates, as partitions are.
 */
public final class BackfillPlan {

  /** Whether a group's partition of a day is published (for its current version). */
  @FunctionalInterface
  public interface Publications {
    boolean published(String group, LocalDate day) throws IOException;
  }

  /** Consecutive days {@code from..to} (inclusive) to backfill in one run. */
  public record Chunk(LocalDate from, LocalDate to) {
    public Chunk {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      if (to.isBefore(from)) {
        throw new IllegalArgumentException("chunk " + from + ".." + to + " ends before it starts");
      }
    }

    public long days() {
      return to.toEpochDay() - from.toEpochDay() + 1;
    }

    @Override
    public String toString() {
      return from.equals(to) ? from.toString() : from + ".." + to;
    }
  }

  private final LocalDate from;
  private final LocalDate to;
  private final List<String> groups;
  private final Publications publications;
  private final int chunkDays;
  private final boolean force;

  private BackfillPlan(
      LocalDate from, LocalDate to, List<String> groups, Publications publications, int chunkDays, boolean force) {
    this.from = from;
    this.to = to;
    this.groups = groups;
    this.publications = publications;
    this.chunkDays = chunkDays;
    this.force = force;
  }

  /**
   * The plan of a backfill of {@code from..to} for the groups (empty: every group) into an offline
   * store, reading its {@code _PUBLISHED} files; one chunk of the whole range, not forced, until
   * {@link #withChunkDays} and {@link #withForce} say otherwise.
   */
  public static BackfillPlan of(
      FeatureRepository repository, LocalDate from, LocalDate to, Collection<String> groups, String offlineRoot) {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(offlineRoot, "offlineRoot");
    OfflineStore store = new OfflineStore(repository, offlineRoot);
    return of(from, to, offlineGroups(repository, groups), (g, d) -> store.publication(g, d) != null);
  }

  /** A plan over the given groups and publication states (for tests and other stores). */
  public static BackfillPlan of(LocalDate from, LocalDate to, List<String> groups, Publications publications) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(publications, "publications");
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("--to " + to + " is before --from " + from);
    }
    return new BackfillPlan(from, to, List.copyOf(groups), publications, Integer.MAX_VALUE, false);
  }

  /** At most this many days per chunk (at least 1). */
  public BackfillPlan withChunkDays(int days) {
    if (days < 1) {
      throw new IllegalArgumentException("--chunk-days must be at least 1, not " + days);
    }
    return new BackfillPlan(from, to, groups, publications, days, force);
  }

  /** Whether to run published days again (a rerun after a definition or data fix). */
  public BackfillPlan withForce(boolean f) {
    return new BackfillPlan(from, to, groups, publications, chunkDays, f);
  }

  /** The days already published for every chosen group: skipped unless forced. */
  public List<LocalDate> doneDays() throws IOException {
    List<LocalDate> out = new ArrayList<>();
    if (groups.isEmpty()) {
      return out;
    }
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      if (allPublished(d)) {
        out.add(d);
      }
    }
    return out;
  }

  /** The chunks to run, in date order: adjacent days to do, split at {@code chunkDays}. */
  public List<Chunk> chunks() throws IOException {
    List<LocalDate> done = force ? List.of() : doneDays();
    List<Chunk> out = new ArrayList<>();
    LocalDate start = null;
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      boolean skip = done.contains(d);
      if (start != null && (skip || d.toEpochDay() - start.toEpochDay() >= chunkDays)) {
        out.add(new Chunk(start, d.minusDays(1)));
        start = null;
      }
      if (!skip && start == null) {
        start = d;
      }
    }
    if (start != null) {
      out.add(new Chunk(start, to));
    }
    return out;
  }

  private boolean allPublished(LocalDate d) throws IOException {
    for (String g : groups) {
      if (!publications.published(g, d)) {
        return false;
      }
    }
    return true;
  }

  /** The chosen groups (empty: all) that write offline partitions, in definition order. */
  static List<String> offlineGroups(FeatureRepository repository, Collection<String> groups) {
    List<String> out = new ArrayList<>();
    for (FeatureGroupDef g : repository.allGroups()) {
      if ((groups == null || groups.isEmpty() || groups.contains(g.name())) && g.offline()) {
        out.add(g.name());
      }
    }
    if (groups != null) {
      for (String g : groups) {
        repository.group(g); // fails on an unknown group, naming it
      }
    }
    return out;
  }
}
