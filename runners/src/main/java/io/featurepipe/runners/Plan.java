package io.featurepipe.runners;

import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.SourceDef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a feature repository computes, as {@code featurepipe plan} prints it: per group its version,
 * entity, source, hop, ttl and features. Serializable to JSON so a later plan can say what changed.
 */
record Plan(List<Group> groups) {

  record Feature(String name, String aggregation, String column, String window, String type) {}

  record Group(
      String name,
      String version,
      String entity,
      String source,
      String hop,
      String ttl,
      String availabilityDelay,
      List<Feature> features) {}

  static Plan of(FeatureRepository repo) {
    List<Group> groups = new ArrayList<>();
    for (FeatureGroupDef g : repo.allGroups()) {
      List<Feature> features = new ArrayList<>();
      for (FeatureDef f : g.features()) {
        features.add(
            new Feature(
                f.name(),
                f.aggregation().toString(),
                f.column(),
                duration(g.windowOf(f)) + (f.window() == null ? " (ttl)" : ""),
                f.outputType().toString()));
      }
      groups.add(
          new Group(
              g.name(),
              g.versionTag(),
              g.entity(),
              g.source(),
              duration(g.hop()),
              duration(g.ttl()),
              duration(g.availabilityDelay()),
              features));
    }
    return new Plan(groups);
  }

  String render(String location) {
    StringBuilder b = new StringBuilder();
    b.append("feature repository ").append(location).append(": ")
        .append(groups.size()).append(groups.size() == 1 ? " group" : " groups").append('\n');
    for (Group g : groups) {
      b.append('\n')
          .append(String.format(
              "group %s  %s  entity %s  source %s  hop %s  ttl %s  availability delay %s%n",
              g.name(), g.version(), g.entity(), g.source(), g.hop(), g.ttl(), g.availabilityDelay()));
      int nameWidth = 7;
      int aggWidth = 11;
      int colWidth = 6;
      for (Feature f : g.features()) {
        nameWidth = Math.max(nameWidth, f.name().length());
        aggWidth = Math.max(aggWidth, f.aggregation().length());
        colWidth = Math.max(colWidth, f.column() == null ? 1 : f.column().length());
      }
      String fmt = "  %-" + nameWidth + "s  %-" + aggWidth + "s  %-" + colWidth + "s  %-10s  %s%n";
      b.append(String.format(fmt, "feature", "aggregation", "column", "window", "type"));
      for (Feature f : g.features()) {
        b.append(String.format(fmt, f.name(), f.aggregation(), f.column() == null ? "-" : f.column(), f.window(), f.type()));
      }
    }
    return b.toString();
  }

  /** Groups added, removed, or with a new version (and which features changed), since {@code before}. */
  static String changes(Plan before, Plan after) {
    Map<String, Group> old = new LinkedHashMap<>();
    before.groups().forEach(g -> old.put(g.name(), g));
    StringBuilder b = new StringBuilder("changes since the previous plan:\n");
    int n = 0;
    for (Group g : after.groups()) {
      Group was = old.remove(g.name());
      if (was == null) {
        b.append("  + group ").append(g.name()).append(" (new, ").append(g.version()).append(")\n");
        n++;
      } else if (!was.version().equals(g.version())) {
        b.append("  ~ group ").append(g.name()).append(": ").append(was.version()).append(" -> ")
            .append(g.version()).append(" (a new version, written beside the old one)\n");
        Map<String, Feature> oldFeatures = new LinkedHashMap<>();
        was.features().forEach(f -> oldFeatures.put(f.name(), f));
        for (Feature f : g.features()) {
          Feature wf = oldFeatures.remove(f.name());
          if (wf == null) {
            b.append("      + ").append(f.name()).append('\n');
          } else if (!wf.equals(f)) {
            b.append("      ~ ").append(f.name()).append(": ").append(wf.aggregation()).append(' ')
                .append(wf.window()).append(" -> ").append(f.aggregation()).append(' ').append(f.window()).append('\n');
          }
        }
        oldFeatures.keySet().forEach(f -> b.append("      - ").append(f).append('\n'));
        n++;
      }
    }
    for (Group g : old.values()) {
      b.append("  - group ").append(g.name()).append(" (removed)\n");
      n++;
    }
    if (n == 0) {
      b.append("  none: every group keeps its version\n");
    }
    return b.toString();
  }

  static String duration(Duration d) {
    if (d == null) {
      return "-";
    }
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
    String[] names = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < units.length; i++) {
      if (ms % units[i] == 0) {
        return (ms / units[i]) + names[i];
      }
    }
    return ms + "ms";
  }

  static String describeSource(SourceDef s) {
    return s.name() + " (" + s.format().yamlName() + ")";
  }
}
