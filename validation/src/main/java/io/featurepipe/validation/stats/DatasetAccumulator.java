package io.featurepipe.validation.stats;

import io.featurepipe.transforms.record.ValueCodec;
import io.featurepipe.validation.columns.DatasetColumns;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;

/**
 * The statistics state of one dataset: the number of examples and one {@link FeatureAccumulator}
 * per column. Public only so that Beam can name its coder; build it through {@link
 * StatisticsCombineFn}.
 */
public final class DatasetAccumulator {
  long examples;
  final FeatureAccumulator[] features;

  DatasetAccumulator(DatasetColumns columns, StatisticsOptions options) {
    features = new FeatureAccumulator[columns.size()];
    for (int i = 0; i < features.length; i++) {
      features[i] = new FeatureAccumulator(columns.columns().get(i), options.distinctCapacity());
    }
  }

  private DatasetAccumulator(FeatureAccumulator[] features) {
    this.features = features;
  }

  void add(Object[] values) {
    if (values.length != features.length) {
      throw new IllegalArgumentException(
          "an example has " + values.length + " values, the dataset " + features.length + " columns");
    }
    examples++;
    for (int i = 0; i < values.length; i++) {
      features[i].add(values[i]);
    }
  }

  void merge(DatasetAccumulator o) {
    examples += o.examples;
    for (int i = 0; i < features.length; i++) {
      features[i].merge(o.features[i]);
    }
  }

  /** Deterministic coder: the same multiset of examples always encodes to the same bytes. */
  static final class Coder extends CustomCoder<DatasetAccumulator> {
    private final DatasetColumns columns;
    private final StatisticsOptions options;

    Coder(DatasetColumns columns, StatisticsOptions options) {
      this.columns = columns;
      this.options = options;
    }

    @Override
    public void encode(DatasetAccumulator value, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      ValueCodec.writeVarLong(value.examples, out);
      for (FeatureAccumulator f : value.features) {
        f.write(out);
      }
      out.flush();
    }

    @Override
    public DatasetAccumulator decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      long examples = ValueCodec.readVarLong(in);
      FeatureAccumulator[] features = new FeatureAccumulator[columns.size()];
      for (int i = 0; i < features.length; i++) {
        features[i] =
            FeatureAccumulator.read(columns.columns().get(i), options.distinctCapacity(), in);
      }
      DatasetAccumulator a = new DatasetAccumulator(features);
      a.examples = examples;
      return a;
    }

    @Override
    public void verifyDeterministic() {}
  }
}
