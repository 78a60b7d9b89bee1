package io.featurepipe.validation.anomalies;

import static org.tensorflow.metadata.v0.AnomalyInfo.Type.*;

import io.featurepipe.validation.schema.SchemaFromDefinitions;
import io.featurepipe.validation.schema.SchemaTypes;
import io.featurepipe.validation.stats.FeatureStatisticsViews;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.metadata.v0.AnomalyInfo;
import org.tensorflow.metadata.v0.Anomalies;
import org.tensorflow.metadata.v0.CommonStatistics;
import org.tensorflow.metadata.v0.DatasetConstraints;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;
import org.tensorflow.metadata.v0.DriftSkewInfo;
import org.tensorflow.metadata.v0.Feature;
import org.tensorflow.metadata.v0.FeatureComparator;
import org.tensorflow.metadata.v0.FeatureNameStatistics;
import org.tensorflow.metadata.v0.FloatDomain;
import org.tensorflow.metadata.v0.Histogram;
import org.tensorflow.metadata.v0.IntDomain;
import org.tensorflow.metadata.v0.LifecycleStage;
import org.tensorflow.metadata.v0.NumericStatistics;
import org.tensorflow.metadata.v0.Schema;
import org.tensorflow.metadata.v0.StringDomain;

/**
 * Validates a dataset's statistics against a schema, and against baseline (drift) and serving
 * (skew) statistics when given, the way TFDV's {@code validate_statistics} does: new and missing
 * columns, types, presence, number of values, int/float/string/bool domains, unique counts, drift
 * and skew comparators, and the dataset's example counts. A pure function.
 *
 * <p>Every comparator that runs records its measurement in {@code drift_skew_info}, anomalous or
 * not. Anomalies are keyed by serialized path; a feature with several reasons gets one {@link
 * AnomalyInfo} with all of them and the highest severity. Severities: ERROR unless {@link
 * ValidationOptions#withSeverity} or the feature's {@link SchemaFromDefinitions#SEVERITY_TAG}
 * annotation says otherwise.
 *
 * <pre>{@code
 * Anomalies anomalies = ValidateStatistics.validate(stats, schema,
 *     ValidationOptions.defaults().withBaseline(previous));
 * }</pre>
 */
public final class ValidateStatistics {
  private ValidateStatistics() {}

  public static Anomalies validate(DatasetFeatureStatistics stats, Schema schema) {
    return validate(stats, schema, ValidationOptions.defaults());
  }

  public static Anomalies validate(
      DatasetFeatureStatistics stats, Schema schema, ValidationOptions options) {
    return new Run(stats, schema, options).run();
  }

  private static final class Run {
    private final DatasetFeatureStatistics stats;
    private final Schema schema;
    private final ValidationOptions options;
    private final Map<String, FeatureNameStatistics> byName;
    private final Map<String, List<AnomalyInfo.Reason>> reasons = new LinkedHashMap<>();
    private final Map<String, AnomalyInfo.Severity> severity = new HashMap<>();
    private final Anomalies.Builder out = Anomalies.newBuilder();

    Run(DatasetFeatureStatistics stats, Schema schema, ValidationOptions options) {
      this.stats = stats;
      this.schema = schema;
      this.options = options;
      this.byName = index(stats);
    }

    Anomalies run() {
      out.setBaseline(schema)
          .setAnomalyNameFormat(Anomalies.AnomalyNameFormat.SERIALIZED_PATH)
          .setDataMissing(stats.getNumExamples() == 0);
      Set<String> known = new TreeSet<>();
      for (Feature f : schema.getFeatureList()) {
        known.add(f.getName());
        if (validated(f)) {
          feature(f, byName.get(f.getName()));
        }
      }
      for (String name : byName.keySet()) {
        if (!known.contains(name)) {
          add(name, null, SCHEMA_NEW_COLUMN, "New column",
              "New column " + name + " (column in data but not in schema)", null, null);
        }
      }
      for (Map.Entry<String, List<AnomalyInfo.Reason>> e : reasons.entrySet()) {
        out.putAnomalyInfo(e.getKey(), info(e.getKey(), e.getValue(), severity.get(e.getKey())));
      }
      dataset();
      return out.build();
    }

    private static Map<String, FeatureNameStatistics> index(DatasetFeatureStatistics stats) {
      Map<String, FeatureNameStatistics> m = new LinkedHashMap<>();
      if (stats != null) {
        for (FeatureNameStatistics f : stats.getFeaturesList()) {
          m.put(f.hasPath() ? FeaturePaths.serialize(f.getPath()) : f.getName(), f);
        }
      }
      return m;
    }

    /** TFDV validates features of stages UNKNOWN_STAGE, BETA, PRODUCTION and VALIDATION_DERIVED. */
    private static boolean validated(Feature f) {
      LifecycleStage s = f.getLifecycleStage();
      return !f.getDeprecated()
          && (s == LifecycleStage.UNKNOWN_STAGE || s == LifecycleStage.BETA
              || s == LifecycleStage.PRODUCTION || s == LifecycleStage.VALIDATION_DERIVED);
    }

    private void feature(Feature f, FeatureNameStatistics s) {
      String name = f.getName();
      boolean required = f.hasPresence() && (f.getPresence().getMinCount() > 0 || f.getPresence().getMinFraction() > 0);
      if (s == null) {
        if (required) {
          add(name, f, SCHEMA_MISSING_COLUMN, "Column dropped",
              "Column " + name + " is in the schema but not in the data", null, null);
        }
        return;
      }
      if (f.hasType() && SchemaTypes.schemaType(s.getType()) != f.getType()) {
        add(name, f, UNEXPECTED_DATA_TYPE, "Unexpected data type",
            "Expected data of type " + f.getType() + " but got " + s.getType(), null, null);
        return;
      }
      CommonStatistics common = FeatureStatisticsViews.common(s);
      long examples = stats.getNumExamples();
      if (examples > 0 && f.hasPresence()) {
        presence(f, common, examples);
      }
      if (common.getNumNonMissing() > 0) {
        valency(f, common);
        domains(f, s);
      }
      comparators(f, s);
    }

    private void presence(Feature f, CommonStatistics common, long examples) {
      long present = common.getNumNonMissing();
      double fraction = (double) present / examples;
      var p = f.getPresence();
      if (present == 0 && (p.getMinCount() > 0 || p.getMinFraction() > 0)) {
        add(f.getName(), f, FEATURE_TYPE_NOT_PRESENT, "Column is completely missing",
            "Column " + f.getName() + " has no value in " + examples + " examples",
            0.0, p.getMinFraction() > 0 ? p.getMinFraction() : (double) p.getMinCount());
        return;
      }
      if (p.hasMinFraction() && fraction < p.getMinFraction()) {
        add(f.getName(), f, FEATURE_TYPE_LOW_FRACTION_PRESENT, "Column dropped",
            "The feature was present in fewer examples than expected: " + present + " of " + examples,
            fraction, p.getMinFraction());
      }
      if (p.hasMinCount() && present < p.getMinCount()) {
        add(f.getName(), f, FEATURE_TYPE_LOW_NUMBER_PRESENT, "Column dropped",
            "The feature was present in fewer examples than expected",
            (double) present, (double) p.getMinCount());
      }
    }

    private void valency(Feature f, CommonStatistics common) {
      if (!f.hasValueCount()) {
        return;
      }
      var v = f.getValueCount();
      if (v.hasMax() && common.getMaxNumValues() > v.getMax()) {
        add(f.getName(), f, FEATURE_TYPE_HIGH_NUMBER_VALUES, "Superfluous values",
            "Some examples have more values than expected", (double) common.getMaxNumValues(), (double) v.getMax());
      }
      if (v.hasMin() && common.getMinNumValues() < v.getMin()) {
        add(f.getName(), f, FEATURE_TYPE_LOW_NUMBER_VALUES, "Missing values",
            "Some examples have fewer values than expected", (double) common.getMinNumValues(), (double) v.getMin());
      }
    }

    private void domains(Feature f, FeatureNameStatistics s) {
      String name = f.getName();
      if (f.hasIntDomain() && s.hasNumStats()) {
        IntDomain d = f.getIntDomain();
        NumericStatistics n = s.getNumStats();
        if (d.hasMin() && n.getMin() < d.getMin()) {
          add(name, f, INT_TYPE_SMALL_INT, "Out-of-range values",
              "Unexpectedly small value: " + AnomalyReasons.format(n.getMin()), n.getMin(), (double) d.getMin());
        }
        if (d.hasMax() && n.getMax() > d.getMax()) {
          add(name, f, INT_TYPE_BIG_INT, "Out-of-range values",
              "Unexpectedly large value: " + AnomalyReasons.format(n.getMax()), n.getMax(), (double) d.getMax());
        }
      }
      if (f.hasFloatDomain() && s.hasNumStats()) {
        FloatDomain d = f.getFloatDomain();
        NumericStatistics n = s.getNumStats();
        if (d.hasMin() && n.getMin() < d.getMin()) {
          add(name, f, FLOAT_TYPE_SMALL_FLOAT, "Out-of-range values",
              "Unexpectedly low value: " + AnomalyReasons.format(n.getMin()), n.getMin(), (double) d.getMin());
        }
        if (d.hasMax() && n.getMax() > d.getMax()) {
          add(name, f, FLOAT_TYPE_BIG_FLOAT, "Out-of-range values",
              "Unexpectedly high value: " + AnomalyReasons.format(n.getMax()), n.getMax(), (double) d.getMax());
        }
        long nan = n.getHistogramsCount() > 0 ? n.getHistograms(0).getNumNan() : 0;
        if (d.getDisallowNan() && nan > 0) {
          add(name, f, FLOAT_TYPE_HAS_NAN, "Invalid values", "Float feature has NaN values", (double) nan, 0.0);
        }
        if (d.getDisallowInf() && (Double.isInfinite(n.getMin()) || Double.isInfinite(n.getMax()))) {
          add(name, f, FLOAT_TYPE_HAS_INF, "Invalid values", "Float feature has infinite values", null, null);
        }
      }
      if (f.hasBoolDomain() && s.hasNumStats()) {
        NumericStatistics n = s.getNumStats();
        if (n.getMin() < 0) {
          add(name, f, BOOL_TYPE_SMALL_INT, "Non-boolean values", "Integers below 0 in a bool feature", n.getMin(), 0.0);
        }
        if (n.getMax() > 1) {
          add(name, f, BOOL_TYPE_BIG_INT, "Non-boolean values", "Integers above 1 in a bool feature", n.getMax(), 1.0);
        }
      }
      StringDomain strings = stringDomain(f);
      if (strings != null && s.hasStringStats()) {
        stringDomain(f, strings, s);
      }
      if (f.hasUniqueConstraints() && s.hasStringStats()) {
        long unique = s.getStringStats().getUnique();
        var u = f.getUniqueConstraints();
        if (u.hasMax() && unique > u.getMax()) {
          add(name, f, FEATURE_TYPE_HIGH_UNIQUE, "High number of unique values",
              "Expected no more than " + u.getMax() + " unique values", (double) unique, (double) u.getMax());
        }
        if (u.hasMin() && unique < u.getMin()) {
          add(name, f, FEATURE_TYPE_LOW_UNIQUE, "Low number of unique values",
              "Expected no fewer than " + u.getMin() + " unique values", (double) unique, (double) u.getMin());
        }
      }
    }

    private StringDomain stringDomain(Feature f) {
      if (f.hasStringDomain()) {
        return f.getStringDomain();
      }
      if (f.hasDomain()) {
        for (StringDomain d : schema.getStringDomainList()) {
          if (d.getName().equals(f.getDomain())) {
            return d;
          }
        }
      }
      return null;
    }

    private void stringDomain(Feature f, StringDomain domain, FeatureNameStatistics s) {
      Set<String> allowed = new TreeSet<>(domain.getValueList());
      Map<String, Double> counts = DistributionDistance.counts(s.getStringStats().getRankHistogram());
      double total = 0;
      double outside = 0;
      List<String> unexpected = new ArrayList<>();
      for (Map.Entry<String, Double> e : counts.entrySet()) {
        total += e.getValue();
        if (!allowed.contains(e.getKey())) {
          outside += e.getValue();
          if (unexpected.size() < 10) {
            unexpected.add(e.getKey());
          }
        }
      }
      if (outside == 0) {
        return;
      }
      double fraction = total == 0 ? 0 : outside / total;
      double minMass = f.hasDistributionConstraints() ? f.getDistributionConstraints().getMinDomainMass() : 1.0;
      double threshold = 1.0 - minMass;
      if (minMass >= 1.0 || fraction > threshold) {
        add(f.getName(), f, ENUM_TYPE_UNEXPECTED_STRING_VALUES, "Unexpected string values",
            "Examples contain values missing from the schema: " + String.join(", ", unexpected),
            fraction, threshold);
      }
    }

    private void comparators(Feature f, FeatureNameStatistics s) {
      DriftSkewInfo.Builder info = DriftSkewInfo.newBuilder().setPath(FeaturePaths.of(f.getName()));
      if (f.hasDriftComparator() && options.baseline() != null) {
        compare(f, s, f.getDriftComparator(), options.baseline(), "drift", info, true);
      }
      if (f.hasSkewComparator() && options.serving() != null) {
        compare(f, s, f.getSkewComparator(), options.serving(), "skew", info, false);
      }
      if (info.getDriftMeasurementsCount() + info.getSkewMeasurementsCount() > 0) {
        out.addDriftSkewInfo(info);
      }
    }

    private void compare(
        Feature f, FeatureNameStatistics s, FeatureComparator c, DatasetFeatureStatistics control,
        String what, DriftSkewInfo.Builder info, boolean drift) {
      FeatureNameStatistics other = index(control).get(f.getName());
      if (other == null) {
        add(f.getName(), f, COMPARATOR_CONTROL_DATA_MISSING, "Missing " + what + " control data",
            "The " + (drift ? "baseline" : "serving") + " statistics have no feature " + f.getName(), null, null);
        return;
      }
      boolean categorical = s.hasStringStats() && other.hasStringStats();
      Map<String, Double> p = categorical ? DistributionDistance.counts(s.getStringStats().getRankHistogram()) : Map.of();
      Map<String, Double> q = categorical ? DistributionDistance.counts(other.getStringStats().getRankHistogram()) : Map.of();
      if (c.hasInfinityNorm() && c.getInfinityNorm().hasThreshold()) {
        DistributionDistance.Result r = DistributionDistance.lInfinity(p, q);
        double t = c.getInfinityNorm().getThreshold();
        measure(info, drift, DriftSkewInfo.Measurement.Type.L_INFTY, r.value(), t);
        if (r.value() > t) {
          add(f.getName(), f, COMPARATOR_L_INFTY_HIGH, "High Linfty distance between " + (drift ? "current and previous" : "training and serving"),
              "The Linfty distance between " + (drift ? "current and previous" : "training and serving")
                  + " is " + AnomalyReasons.format(r.value()) + " (up to six significant digits), above the threshold "
                  + AnomalyReasons.format(t) + ". The feature value with maximum difference is: " + r.label(),
              r.value(), t);
        }
      }
      if (c.hasNormalizedAbsDifference() && c.getNormalizedAbsDifference().hasThreshold()) {
        DistributionDistance.Result r = DistributionDistance.normalizedAbsoluteDifference(p, q);
        double t = c.getNormalizedAbsDifference().getThreshold();
        measure(info, drift, DriftSkewInfo.Measurement.Type.NORMALIZED_ABSOLUTE_DIFFERENCE, r.value(), t);
        if (r.value() > t) {
          add(f.getName(), f, COMPARATOR_NORMALIZED_ABSOLUTE_DIFFERENCE_HIGH, "High normalized absolute difference",
              "The normalized absolute difference is " + AnomalyReasons.format(r.value())
                  + ", largest at value " + r.label(), r.value(), t);
        }
      }
      if (c.hasJensenShannonDivergence() && c.getJensenShannonDivergence().hasThreshold()) {
        Double jsd = null;
        if (categorical) {
          jsd = DistributionDistance.jensenShannon(p, q);
        } else if (s.hasNumStats() && other.hasNumStats()) {
          Histogram.HistogramType type =
              c.getJensenShannonDivergence().getSource().getType() == org.tensorflow.metadata.v0.HistogramSelection.Type.QUANTILES
                  ? Histogram.HistogramType.QUANTILES : Histogram.HistogramType.STANDARD;
          Histogram a = histogram(s.getNumStats(), type);
          Histogram b = histogram(other.getNumStats(), type);
          if (a != null && b != null) {
            jsd = DistributionDistance.jensenShannon(a, b);
          }
        }
        if (jsd != null) {
          double t = c.getJensenShannonDivergence().getThreshold();
          measure(info, drift, DriftSkewInfo.Measurement.Type.JENSEN_SHANNON_DIVERGENCE, jsd, t);
          if (jsd > t) {
            add(f.getName(), f, COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH,
                "High approximate Jensen-Shannon divergence between " + (drift ? "current and previous" : "training and serving"),
                "The approximate Jensen-Shannon divergence between " + (drift ? "current and previous" : "training and serving")
                    + " is " + AnomalyReasons.format(jsd) + ", above the threshold " + AnomalyReasons.format(t),
                jsd, t);
          }
        }
      }
    }

    private static Histogram histogram(NumericStatistics n, Histogram.HistogramType type) {
      for (Histogram h : n.getHistogramsList()) {
        if (h.getType() == type) {
          return h;
        }
      }
      return null;
    }

    private static void measure(
        DriftSkewInfo.Builder info, boolean drift, DriftSkewInfo.Measurement.Type type, double value, double threshold) {
      DriftSkewInfo.Measurement m =
          DriftSkewInfo.Measurement.newBuilder().setType(type).setValue(value).setThreshold(threshold).build();
      if (drift) {
        info.addDriftMeasurements(m);
      } else {
        info.addSkewMeasurements(m);
      }
    }

    private void dataset() {
      if (!schema.hasDatasetConstraints()) {
        return;
      }
      DatasetConstraints c = schema.getDatasetConstraints();
      long n = stats.getNumExamples();
      List<AnomalyInfo.Reason> list = new ArrayList<>();
      AnomalyInfo.Severity worst = AnomalyInfo.Severity.UNKNOWN;
      if (c.hasMinExamplesCount() && n < c.getMinExamplesCount()) {
        list.add(AnomalyReasons.reason(DATASET_LOW_NUM_EXAMPLES, "Low num examples in dataset",
            "The dataset has " + n + " examples", (double) n, (double) c.getMinExamplesCount()));
        worst = max(worst, options.severityOf(DATASET_LOW_NUM_EXAMPLES));
      }
      if (c.hasMaxExamplesCount() && n > c.getMaxExamplesCount()) {
        list.add(AnomalyReasons.reason(DATASET_HIGH_NUM_EXAMPLES, "High num examples in dataset",
            "The dataset has " + n + " examples", (double) n, (double) c.getMaxExamplesCount()));
        worst = max(worst, options.severityOf(DATASET_HIGH_NUM_EXAMPLES));
      }
      if (c.hasNumExamplesDriftComparator() && options.baseline() != null && options.baseline().getNumExamples() > 0) {
        double ratio = (double) n / options.baseline().getNumExamples();
        var cmp = c.getNumExamplesDriftComparator();
        if (cmp.hasMinFractionThreshold() && ratio < cmp.getMinFractionThreshold()) {
          list.add(AnomalyReasons.reason(COMPARATOR_LOW_NUM_EXAMPLES, "Low num examples in comparison",
              "The ratio of examples to the baseline is low", ratio, cmp.getMinFractionThreshold()));
          worst = max(worst, options.severityOf(COMPARATOR_LOW_NUM_EXAMPLES));
        }
        if (cmp.hasMaxFractionThreshold() && ratio > cmp.getMaxFractionThreshold()) {
          list.add(AnomalyReasons.reason(COMPARATOR_HIGH_NUM_EXAMPLES, "High num examples in comparison",
              "The ratio of examples to the baseline is high", ratio, cmp.getMaxFractionThreshold()));
          worst = max(worst, options.severityOf(COMPARATOR_HIGH_NUM_EXAMPLES));
        }
      }
      if (!list.isEmpty()) {
        out.setDatasetAnomalyInfo(info(null, list, worst));
      }
    }

    private void add(
        String name, Feature f, AnomalyInfo.Type type, String shortDescription, String description,
        Double measured, Double threshold) {
      reasons.computeIfAbsent(name, k -> new ArrayList<>())
          .add(AnomalyReasons.reason(type, shortDescription, description, measured, threshold));
      severity.merge(name, severityOf(f, type), Run::max);
    }

    private AnomalyInfo.Severity severityOf(Feature f, AnomalyInfo.Type type) {
      if (f != null && f.hasAnnotation()) {
        for (String tag : f.getAnnotation().getTagList()) {
          if (tag.startsWith(SchemaFromDefinitions.SEVERITY_TAG)) {
            return tag.endsWith("warning") ? AnomalyInfo.Severity.WARNING : AnomalyInfo.Severity.ERROR;
          }
        }
      }
      return options.severityOf(type);
    }

    private static AnomalyInfo.Severity max(AnomalyInfo.Severity a, AnomalyInfo.Severity b) {
      return a.getNumber() >= b.getNumber() ? a : b;
    }

    private static AnomalyInfo info(String name, List<AnomalyInfo.Reason> list, AnomalyInfo.Severity severity) {
      AnomalyInfo.Builder b = AnomalyInfo.newBuilder().setSeverity(severity).addAllReason(list);
      if (name != null) {
        b.setPath(FeaturePaths.of(name));
      }
      if (list.size() == 1) {
        b.setShortDescription(list.get(0).getShortDescription()).setDescription(list.get(0).getDescription());
      } else {
        b.setShortDescription("Multiple errors");
        b.setDescription(String.join(" ", list.stream().map(AnomalyInfo.Reason::getDescription).toList()));
      }
      return b.build();
    }
  }
}
