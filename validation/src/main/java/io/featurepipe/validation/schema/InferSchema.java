package io.featurepipe.validation.schema;

import io.featurepipe.validation.stats.FeatureStatisticsViews;
import org.tensorflow.metadata.v0.BoolDomain;
import org.tensorflow.metadata.v0.CommonStatistics;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;
import org.tensorflow.metadata.v0.Feature;
import org.tensorflow.metadata.v0.FeatureNameStatistics;
import org.tensorflow.metadata.v0.FeaturePresence;
import org.tensorflow.metadata.v0.FixedShape;
import org.tensorflow.metadata.v0.IntDomain;
import org.tensorflow.metadata.v0.RankHistogram;
import org.tensorflow.metadata.v0.Schema;
import org.tensorflow.metadata.v0.StringDomain;
import org.tensorflow.metadata.v0.ValueCount;

/**
 * Infers a schema from statistics with TFDV's rules, for a person to review (conservative on
 * purpose: no numeric ranges, no comparators):
 *
 * <ul>
 *   <li>type: STRING/BYTES → BYTES, INT → INT, FLOAT → FLOAT;
 *   <li>presence: {@code min_count} 1 when the feature is ever present, {@code min_fraction} 1.0
 *       only when it is never missing;
 *   <li>shape: a fixed {@code shape} when never missing and always the same positive number of
 *       values, else {@code value_count} min/max;
 *   <li>domain: {@code bool_domain} for INT features within [0, 1] with max 1; an empty {@code
 *       int_domain} for strings that all parse as integers; a schema-level {@code string_domain}
 *       (referenced by {@code domain}) for strings with at most {@code maxStringDomainSize}
 *       distinct values, all in the rank histogram; none otherwise.
 * </ul>
 */
public final class InferSchema {
  /** TFDV's default largest string domain. */
  public static final int DEFAULT_MAX_STRING_DOMAIN_SIZE = 100;

  private InferSchema() {}

  public static Schema from(DatasetFeatureStatistics stats) {
    return from(stats, DEFAULT_MAX_STRING_DOMAIN_SIZE);
  }

  public static Schema from(DatasetFeatureStatistics stats, int maxStringDomainSize) {
    Schema.Builder schema = Schema.newBuilder();
    for (FeatureNameStatistics f : stats.getFeaturesList()) {
      CommonStatistics common = FeatureStatisticsViews.common(f);
      if (common == null) {
        continue; // TFDV drops features without common statistics
      }
      String name = FeatureStatisticsViews.name(f);
      Feature.Builder out = Feature.newBuilder().setName(name).setType(SchemaTypes.schemaType(f.getType()));
      FeaturePresence.Builder presence =
          FeaturePresence.newBuilder().setMinCount(common.getNumNonMissing() >= 1 ? 1 : 0);
      if (common.getNumMissing() == 0) {
        presence.setMinFraction(1.0);
      }
      out.setPresence(presence);
      if (common.getNumMissing() == 0
          && common.getMinNumValues() == common.getMaxNumValues()
          && common.getMaxNumValues() > 0) {
        out.setShape(FixedShape.newBuilder().addDim(FixedShape.Dim.newBuilder().setSize(common.getMaxNumValues())));
      } else {
        out.setValueCount(ValueCount.newBuilder().setMin(common.getMinNumValues()).setMax(common.getMaxNumValues()));
      }
      if (f.hasNumStats() && f.getType() == FeatureNameStatistics.Type.INT
          && common.getNumNonMissing() > 0
          && f.getNumStats().getMin() >= 0 && f.getNumStats().getMax() == 1) {
        out.setBoolDomain(BoolDomain.getDefaultInstance());
      } else if (f.hasStringStats()) {
        RankHistogram rank = f.getStringStats().getRankHistogram();
        if (rank.getBucketsCount() > 0 && allIntegers(rank)
            && rank.getBucketsCount() == f.getStringStats().getUnique()) {
          out.setIntDomain(IntDomain.getDefaultInstance());
        } else if (rank.getBucketsCount() > 0
            && f.getStringStats().getUnique() <= maxStringDomainSize
            && rank.getBucketsCount() == f.getStringStats().getUnique()) {
          StringDomain.Builder domain = StringDomain.newBuilder().setName(name);
          rank.getBucketsList().stream().map(RankHistogram.Bucket::getLabel).sorted().forEach(domain::addValue);
          schema.addStringDomain(domain);
          out.setDomain(name);
        }
      }
      schema.addFeature(out);
    }
    return schema.build();
  }

  private static boolean allIntegers(RankHistogram rank) {
    for (RankHistogram.Bucket b : rank.getBucketsList()) {
      try {
        Long.parseLong(b.getLabel());
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return true;
  }
}
