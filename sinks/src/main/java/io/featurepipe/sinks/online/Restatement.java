package io.featurepipe.sinks.online;

import com.google.bigtable.v2.Mutation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;

/**
 * The cells of one restated row of a Bigtable row key: the family of its (group, version), its
 * window end, its {@code FeatureRow.sequence()} (higher = emitted later for the same group key) and
 * the mutations of its cells. {@link WriteRestatementsFn} writes the highest sequence of each cell.
 */
record Restatement(String family, long windowEndMillis, long sequence, List<Mutation> mutations) {

  Restatement {
    mutations = List.copyOf(mutations);
  }

  /** The state key of the cells it writes: one family at one window end. */
  String cells() {
    return family + "@" + windowEndMillis;
  }

  /** Deterministic: UTF-8 family, var-longs, and the mutations' protobuf bytes. */
  static final class Coder extends CustomCoder<Restatement> {
    private static final Coder INSTANCE = new Coder();
    private static final ListCoder<Mutation> MUTATIONS = ListCoder.of(ProtoCoder.of(Mutation.class));

    static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(Restatement r, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(r.family(), out);
      VarLongCoder.of().encode(r.windowEndMillis(), out);
      VarLongCoder.of().encode(r.sequence(), out);
      MUTATIONS.encode(r.mutations(), out);
    }

    @Override
    public Restatement decode(InputStream in) throws IOException {
      return new Restatement(
          StringUtf8Coder.of().decode(in),
          VarLongCoder.of().decode(in),
          VarLongCoder.of().decode(in),
          MUTATIONS.decode(in));
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      MUTATIONS.verifyDeterministic();
    }
  }
}
