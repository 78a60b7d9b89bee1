package io.featurepipe.validation.stats;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.validation.columns.DatasetColumns;
import java.util.List;
import java.util.Map;
import org.tensorflow.metadata.v0.CommonStatistics;
import org.tensorflow.metadata.v0.CustomStatistic;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;
import org.tensorflow.metadata.v0.FeatureNameStatistics;
import org.tensorflow.metadata.v0.Histogram;
import org.tensorflow.metadata.v0.NumericStatistics;
import org.tensorflow.metadata.v0.Path;
import org.tensorflow.metadata.v0.PresenceAndValencyStatistics;
import org.tensorflow.metadata.v0.RankHistogram;
import org.tensorflow.metadata.v0.StringStatistics;

/**
 * Turns a {@link DatasetAccumulator} into a {@link DatasetFeatureStatistics}, filling the fields
 * TFDV's basic and top-k generators fill. Features are named by {@code path} (as TFDV writes them),
 * in column order. A pure function of the accumulator's state, so bit-identical for equal states.
 */
final class StatisticsBuilder {
  /** Custom statistic: the fraction of distinct string values the top values were taken from. */
  static final String SAMPLE_RATE_STAT = "featurepipe.distinct_sample_rate";

  private final DatasetColumns columns;
  private final StatisticsOptions options;

  StatisticsBuilder(DatasetColumns columns, StatisticsOptions options) {
    this.columns = columns;
    this.options = options;
  }

  DatasetFeatureStatistics build(DatasetAccumulator acc) {
    DatasetFeatureStatistics.Builder out =
        DatasetFeatureStatistics.newBuilder().setName(columns.name()).setNumExamples(acc.examples);
    for (FeatureAccumulator f : acc.features) {
      out.addFeatures(feature(f, acc.examples));
    }
    return out.build();
  }

  private FeatureNameStatistics feature(FeatureAccumulator f, long examples) {
    FeatureNameStatistics.Builder b =
        FeatureNameStatistics.newBuilder()
            .setPath(Path.newBuilder().addStep(f.column.name()))
            .setType(typeOf(f.column.type()));
    CommonStatistics common = common(f, examples);
    if (f.numeric) {
      b.setNumStats(numeric(f, common));
    } else {
      b.setStringStats(strings(f, common));
      if (!f.sample.exact()) {
        b.addCustomStats(
            CustomStatistic.newBuilder().setName(SAMPLE_RATE_STAT).setNum(f.sample.sampleRate()));
      }
    }
    return b.build();
  }

  /** The statistics type of a column type: strings STRING, doubles FLOAT, everything else INT. */
  static FeatureNameStatistics.Type typeOf(ColumnType type) {
    return switch (type) {
      case STRING -> FeatureNameStatistics.Type.STRING;
      case DOUBLE -> FeatureNameStatistics.Type.FLOAT;
      default -> FeatureNameStatistics.Type.INT;
    };
  }

  private CommonStatistics common(FeatureAccumulator f, long examples) {
    CommonStatistics.Builder c =
        CommonStatistics.newBuilder()
            .setNumNonMissing(f.present)
            .setNumMissing(examples - f.present)
            .setTotNumValues(f.totalValues);
    PresenceAndValencyStatistics.Builder pv =
        PresenceAndValencyStatistics.newBuilder()
            .setNumNonMissing(f.present)
            .setNumMissing(examples - f.present)
            .setTotNumValues(f.totalValues);
    if (f.present > 0) {
      c.setMinNumValues(f.minValues)
          .setMaxNumValues(f.maxValues)
          .setAvgNumValues((float) ((double) f.totalValues / f.present))
          .setNumValuesHistogram(numValuesHistogram(f));
      pv.setMinNumValues(f.minValues).setMaxNumValues(f.maxValues);
    }
    return c.addPresenceAndValencyStats(pv).build();
  }

  /** Quantiles of the number of values per present example, from their exact counts. */
  private Histogram numValuesHistogram(FeatureAccumulator f) {
    int n = options.numQuantileBuckets();
    Histogram.Builder h = Histogram.newBuilder().setType(Histogram.HistogramType.QUANTILES);
    double perBucket = (double) f.present / n;
    double low = f.minValues;
    for (int k = 1; k <= n; k++) {
      double high = k == n ? f.maxValues : exactQuantile(f.valueCounts(), f.present, k, n);
      h.addBuckets(Histogram.Bucket.newBuilder().setLowValue(low).setHighValue(high).setSampleCount(perBucket));
      low = high;
    }
    return h.build();
  }

  private static double exactQuantile(Map<Long, Long> counts, long total, int k, int n) {
    long rank = Math.floorDiv((long) k * (total - 1), n);
    long seen = 0;
    for (Map.Entry<Long, Long> e : counts.entrySet()) {
      seen += e.getValue();
      if (seen > rank) {
        return e.getKey();
      }
    }
    throw new IllegalStateException("rank beyond the counts");
  }

  private NumericStatistics numeric(FeatureAccumulator f, CommonStatistics common) {
    NumericStatistics.Builder s = NumericStatistics.newBuilder().setCommonStats(common);
    if (f.numbers == 0) {
      if (f.nan > 0) {
        s.addHistograms(Histogram.newBuilder().setNumNan(f.nan).setType(Histogram.HistogramType.STANDARD));
        s.addHistograms(Histogram.newBuilder().setNumNan(f.nan).setType(Histogram.HistogramType.QUANTILES));
      }
      return s.build();
    }
    s.setNumZeros(f.zeros)
        .setMin(f.negativeInfinities > 0 ? Double.NEGATIVE_INFINITY : f.finiteMin)
        .setMax(f.positiveInfinities > 0 ? Double.POSITIVE_INFINITY : f.finiteMax);
    long finite = f.finiteCount();
    if (finite > 0) {
      Object mean = f.mean().result();
      s.setMean(mean == null ? 0.0 : (Double) mean);
      Object sampleVariance = f.variance.result();
      double variance =
          sampleVariance == null ? 0.0 : (Double) sampleVariance * (finite - 1) / finite;
      s.setStdDev(Math.sqrt(variance));
      s.setMedian(f.sketch.valueAtRank((finite - 1) / 2, f.finiteMin, f.finiteMax));
    } else {
      s.setMin(f.negativeInfinities > 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
      s.setMax(f.positiveInfinities > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
    }
    s.addHistograms(Histograms.standard(f, options.numHistogramBuckets()));
    s.addHistograms(Histograms.quantiles(f, options.numQuantileBuckets()));
    return s.build();
  }

  private StringStatistics strings(FeatureAccumulator f, CommonStatistics common) {
    StringStatistics.Builder s =
        StringStatistics.newBuilder()
            .setCommonStats(common)
            .setUnique(f.sample.estimatedDistinct())
            .setInvalidUtf8Count(f.invalidUtf8);
    long values = f.totalValues;
    if (values > 0) {
      s.setAvgLength((float) ((double) f.totalLength / values));
    }
    List<Map.Entry<String, Long>> ranked = f.sample.ranked();
    for (int i = 0; i < Math.min(options.numTopValues(), ranked.size()); i++) {
      s.addTopValues(
          StringStatistics.FreqAndValue.newBuilder()
              .setValue(ranked.get(i).getKey())
              .setFrequency(ranked.get(i).getValue()));
    }
    RankHistogram.Builder rank = RankHistogram.newBuilder();
    for (int i = 0; i < Math.min(options.numRankHistogramBuckets(), ranked.size()); i++) {
      rank.addBuckets(
          RankHistogram.Bucket.newBuilder()
              .setLowRank(i)
              .setHighRank(i)
              .setLabel(ranked.get(i).getKey())
              .setSampleCount(ranked.get(i).getValue()));
    }
    return s.setRankHistogram(rank).build();
  }
}
