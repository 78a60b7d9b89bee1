package io.featurepipe.pipelines.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an {@link OnlineAudit} found: per group, how many (key, time) samples were compared and
 * every feature whose online read differed from its point-in-time offline value, with examples.
 * {@link #passed()} is true only when every group compared at least one sample and nothing differed.
 */
public record AuditReport(List<GroupResult> groups) {

  /** One differing value: the key, the time read, the window end, both values. */
  public record Example(Map<String, Object> key, long tNanos, long windowEndMillis, Object online, Object offline) {
    @Override
    public String toString() {
      return "key " + key + " as of " + OnlineAudit.instant(tNanos) + " (window end "
          + Instant.ofEpochMilli(windowEndMillis) + "): online " + online + ", offline " + offline;
    }
  }

  /** The differences of one feature: how many samples, and the first few. */
  public record FeatureMismatches(String feature, int count, List<Example> examples) {}

  /**
   * One group's audit.
   *
   * @param skipped why nothing could be compared, or null
   * @param firstWindowEnd the earliest window end sampled (millis)
   * @param lastWindowEnd the latest: no later than {@code M - allowed_lateness} (final) and the range
   * @param watermarkMillis the group's watermark cell M
   * @param compared samples read online and compared
   * @param atRows samples at a window end where the key has an offline row
   * @param empty samples where the offline value is the empty values (no row at {@code e(t)})
   */
  public record GroupResult(
      String group,
      String version,
      String skipped,
      long firstWindowEnd,
      long lastWindowEnd,
      long watermarkMillis,
      int compared,
      int atRows,
      int empty,
      List<FeatureMismatches> mismatches) {

    public int mismatchCount() {
      return mismatches.stream().mapToInt(FeatureMismatches::count).sum();
    }
  }

  /** Differing values over all groups and features. */
  public int mismatchCount() {
    return groups.stream().mapToInt(GroupResult::mismatchCount).sum();
  }

  /** True when every group was compared and no value differed. */
  public boolean passed() {
    return mismatchCount() == 0 && groups.stream().allMatch(g -> g.skipped() == null && g.compared() > 0);
  }

  /** A readable report, one block per group. */
  public String render() {
    StringBuilder b = new StringBuilder();
    int differing = 0;
    for (GroupResult g : groups) {
      b.append("group ").append(g.group()).append(" v").append(g.version()).append(": ");
      if (g.skipped() != null) {
        b.append("not audited: ").append(g.skipped()).append('\n');
        continue;
      }
      b.append(String.format("%d samples compared (%d at an offline row, %d empty), window ends %s..%s, M %s%n",
          g.compared(), g.atRows(), g.empty(), Instant.ofEpochMilli(g.firstWindowEnd()),
          Instant.ofEpochMilli(g.lastWindowEnd()), Instant.ofEpochMilli(g.watermarkMillis())));
      for (FeatureMismatches m : g.mismatches()) {
        differing++;
        b.append(String.format("  MISMATCH %s.%s: %d of %d samples differ%n", g.group(), m.feature(), m.count(), g.compared()));
        for (Example e : m.examples()) {
          b.append("    e.g. ").append(e).append('\n');
        }
      }
    }
    List<String> notAudited = new ArrayList<>();
    groups.stream().filter(g -> g.skipped() != null || g.compared() == 0).forEach(g -> notAudited.add(g.group()));
    if (passed()) {
      b.append("audit passed: every sampled online read equals its point-in-time offline value\n");
    } else {
      int n = mismatchCount();
      b.append("audit FAILED: ").append(n).append(n == 1 ? " differing value in " : " differing values in ")
          .append(differing).append(differing == 1 ? " feature" : " features");
      if (!notAudited.isEmpty()) {
        b.append("; not audited: ").append(String.join(", ", notAudited));
      }
      b.append('\n');
    }
    return b.toString();
  }
}
