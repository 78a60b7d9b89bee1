package io.featurepipe.validation.stats;

import org.tensorflow.metadata.v0.CommonStatistics;
import org.tensorflow.metadata.v0.FeatureNameStatistics;

/** Reads the parts every kind of feature statistics shares. */
public final class FeatureStatisticsViews {
  private FeatureStatisticsViews() {}

  /** The feature's name: its path's steps joined with '.', or its name. */
  public static String name(FeatureNameStatistics f) {
    return f.hasPath() ? String.join(".", f.getPath().getStepList()) : f.getName();
  }

  /** The common statistics of whichever statistics the feature has, or null when it has none. */
  public static CommonStatistics common(FeatureNameStatistics f) {
    if (f.hasNumStats()) {
      return f.getNumStats().getCommonStats();
    }
    if (f.hasStringStats()) {
      return f.getStringStats().getCommonStats();
    }
    if (f.hasBytesStats()) {
      return f.getBytesStats().getCommonStats();
    }
    if (f.hasStructStats()) {
      return f.getStructStats().getCommonStats();
    }
    return null;
  }
}
