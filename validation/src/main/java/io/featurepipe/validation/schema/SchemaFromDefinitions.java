package io.featurepipe.validation.schema;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.validation.columns.Column;
import io.featurepipe.validation.columns.DatasetColumns;
import io.featurepipe.validation.columns.DatasetKind;
import io.featurepipe.validation.expect.ColumnExpectation;
import io.featurepipe.validation.expect.Expectations;
import io.featurepipe.validation.expect.GroupExpectations;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.tensorflow.metadata.v0.Annotation;
import org.tensorflow.metadata.v0.BoolDomain;
import org.tensorflow.metadata.v0.Feature;
import org.tensorflow.metadata.v0.FeatureComparator;
import org.tensorflow.metadata.v0.FeaturePresence;
import org.tensorflow.metadata.v0.FloatDomain;
import org.tensorflow.metadata.v0.InfinityNorm;
import org.tensorflow.metadata.v0.IntDomain;
import org.tensorflow.metadata.v0.JensenShannonDivergence;
import org.tensorflow.metadata.v0.Schema;
import org.tensorflow.metadata.v0.StringDomain;
import org.tensorflow.metadata.v0.TimeDomain;
import org.tensorflow.metadata.v0.ValueCount;

/**
 * The schema a dataset must follow, generated from the definitions: one feature per column with
 * its type and shape, required source fields and entity keys present in every row, bools as
 * {@code bool_domain}, timestamps as {@code time_domain} (epoch milliseconds), and each column's
 * {@code expect} constraints:
 *
 * <table>
 *   <tr><th>expect</th><th>schema</th></tr>
 *   <tr><td>min / max</td><td>{@code int_domain} or {@code float_domain} min / max (float
 *       bounds rounded outwards)</td></tr>
 *   <tr><td>domain (strings)</td><td>{@code string_domain} values</td></tr>
 *   <tr><td>presence</td><td>{@code presence.min_fraction}</td></tr>
 *   <tr><td>max_distinct_drift</td><td>{@code drift_comparator.infinity_norm}</td></tr>
 *   <tr><td>max_drift</td><td>{@code drift_comparator.jensen_shannon_divergence}</td></tr>
 *   <tr><td>max_skew</td><td>{@code skew_comparator}: infinity norm (strings) or JSD</td></tr>
 *   <tr><td>regex, severity</td><td>annotations ({@link #REGEX_TAG}, {@link #SEVERITY_TAG})</td></tr>
 * </table>
 */
public final class SchemaFromDefinitions {
  /** Annotation tag prefix naming the severity of a feature's anomalies. */
  public static final String SEVERITY_TAG = "featurepipe.severity=";
  /** Annotation tag prefix of a regular expression checked per record. */
  public static final String REGEX_TAG = "featurepipe.regex=";

  private SchemaFromDefinitions() {}

  /** A source's schema: its fields, required ones present in every record. */
  public static Schema forSource(SourceDef source) {
    Set<String> required = requiredFields(source);
    Schema.Builder schema = Schema.newBuilder();
    for (Column c : DatasetColumns.ofSource(source).columns()) {
      schema.addFeature(feature(c, required.contains(c.name())));
    }
    return schema.build();
  }

  /** A group's input schema: source fields and derived columns, with their expectations. */
  public static Schema forGroupInput(FeatureRepository repository, FeatureGroupDef group) {
    return forGroup(repository, group, DatasetColumns.ofGroupInput(repository, group), requiredFields(repository.source(group.source())));
  }

  /** A group's feature-row schema: entity keys (always present) and features, with their expectations. */
  public static Schema forGroupFeatures(FeatureRepository repository, FeatureGroupDef group) {
    Set<String> keys =
        repository.entity(group.entity()).keys().stream().map(Field::name).collect(Collectors.toSet());
    return forGroup(repository, group, DatasetColumns.ofGroupFeatures(repository, group), keys);
  }

  /** The schema of a dataset of a group ({@link DatasetKind#GROUP_INPUT} or {@link DatasetKind#GROUP_FEATURES}). */
  public static Schema forGroup(FeatureRepository repository, FeatureGroupDef group, DatasetKind kind) {
    return kind == DatasetKind.GROUP_INPUT ? forGroupInput(repository, group) : forGroupFeatures(repository, group);
  }

  private static Schema forGroup(
      FeatureRepository repository, FeatureGroupDef group, DatasetColumns columns, Set<String> required) {
    GroupExpectations expectations = Expectations.of(repository, group);
    Map<String, ColumnExpectation> mine = expectations.of(columns.kind());
    Schema.Builder schema = Schema.newBuilder();
    for (Column c : columns.columns()) {
      Feature.Builder f = feature(c, required.contains(c.name())).toBuilder();
      ColumnExpectation e = mine.get(c.name());
      if (e != null) {
        apply(e, f);
      }
      schema.addFeature(f);
    }
    return schema.build();
  }

  private static Set<String> requiredFields(SourceDef source) {
    return source.fields().stream().filter(Field::required).map(Field::name).collect(Collectors.toSet());
  }

  /** A column's type, shape, presence and type-implied domain. */
  static Feature feature(Column c, boolean required) {
    Feature.Builder f = Feature.newBuilder().setName(c.name()).setType(SchemaTypes.schemaType(c.type()));
    if (required) {
      f.setPresence(FeaturePresence.newBuilder().setMinFraction(1.0).setMinCount(1));
    } else {
      f.setPresence(FeaturePresence.newBuilder().setMinCount(0));
    }
    f.setValueCount(c.list() ? ValueCount.newBuilder().setMin(0) : ValueCount.newBuilder().setMin(1).setMax(1));
    if (c.type() == ColumnType.BOOL) {
      f.setBoolDomain(BoolDomain.getDefaultInstance());
    } else if (c.type() == ColumnType.TIMESTAMP) {
      f.setTimeDomain(TimeDomain.newBuilder().setIntegerFormat(TimeDomain.IntegerTimeFormat.UNIX_MILLISECONDS));
    }
    return f.build();
  }

  private static void apply(ColumnExpectation e, Feature.Builder f) {
    ColumnType type = e.column().type();
    if (e.min() != null || e.max() != null) {
      if (type == ColumnType.INT64) {
        IntDomain.Builder d = IntDomain.newBuilder();
        if (e.min() != null) {
          d.setMin((long) Math.ceil(e.min()));
        }
        if (e.max() != null) {
          d.setMax((long) Math.floor(e.max()));
        }
        f.setIntDomain(d);
      } else {
        FloatDomain.Builder d = FloatDomain.newBuilder();
        if (e.min() != null) {
          float m = (float) e.min().doubleValue();
          d.setMin(m > e.min() ? Math.nextDown(m) : m);
        }
        if (e.max() != null) {
          float m = (float) e.max().doubleValue();
          d.setMax(m < e.max() ? Math.nextUp(m) : m);
        }
        f.setFloatDomain(d);
      }
    }
    if (e.domain() != null && type == ColumnType.STRING) {
      StringDomain.Builder d = StringDomain.newBuilder();
      e.domain().forEach(v -> d.addValue((String) v));
      f.setStringDomain(d);
    }
    if (e.presence() != null) {
      f.setPresence(
          FeaturePresence.newBuilder()
              .setMinFraction(e.presence())
              .setMinCount(e.presence() > 0 || f.getPresence().getMinCount() > 0 ? 1 : 0));
    }
    if (e.maxDistinctDrift() != null || e.maxDrift() != null) {
      FeatureComparator.Builder drift = FeatureComparator.newBuilder();
      if (e.maxDistinctDrift() != null) {
        drift.setInfinityNorm(InfinityNorm.newBuilder().setThreshold(e.maxDistinctDrift()));
      }
      if (e.maxDrift() != null) {
        drift.setJensenShannonDivergence(JensenShannonDivergence.newBuilder().setThreshold(e.maxDrift()));
      }
      f.setDriftComparator(drift);
    }
    if (e.maxSkew() != null) {
      f.setSkewComparator(
          type == ColumnType.STRING
              ? FeatureComparator.newBuilder().setInfinityNorm(InfinityNorm.newBuilder().setThreshold(e.maxSkew()))
              : FeatureComparator.newBuilder()
                  .setJensenShannonDivergence(JensenShannonDivergence.newBuilder().setThreshold(e.maxSkew())));
    }
    Annotation.Builder a = Annotation.newBuilder();
    if (e.regex() != null) {
      a.addTag(REGEX_TAG + e.regex());
    }
    if (e.severity() != null) {
      a.addTag(SEVERITY_TAG + e.severity().name().toLowerCase(java.util.Locale.ROOT));
    }
    if (a.getTagCount() > 0) {
      f.setAnnotation(a);
    }
  }
}
