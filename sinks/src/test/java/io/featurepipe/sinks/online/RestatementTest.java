package io.featurepipe.sinks.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.bigtable.v2.Mutation;
import com.google.protobuf.ByteString;
import java.util.List;
import org.apache.beam.sdk.testing.CoderProperties;
import org.junit.jupiter.api.Test;

/** The restatement value: its coder round-trips deterministically, its state key names the cells. */
class RestatementTest {
  private static Mutation cell(String qualifier, long micros, String value) {
    return Mutation.newBuilder()
        .setSetCell(Mutation.SetCell.newBuilder()
            .setFamilyName("activity.v1")
            .setColumnQualifier(ByteString.copyFromUtf8(qualifier))
            .setTimestampMicros(micros)
            .setValue(ByteString.copyFromUtf8(value)))
        .build();
  }

  @Test
  void theCoderRoundTripsAndIsDeterministic() throws Exception {
    Restatement r = new Restatement("activity.v1", 1_767_229_200_000L, 7,
        List.of(cell("n_1h", 1_767_229_200_000_000L, "\u0001"), cell("last_item", 1_767_229_200_000_000L, "")));
    CoderProperties.coderDecodeEncodeEqual(Restatement.Coder.of(), r);
    CoderProperties.coderDecodeEncodeEqual(Restatement.Coder.of(), new Restatement("é.v2", 0, 0, List.of()));
    CoderProperties.coderDeterministic(Restatement.Coder.of(), r, new Restatement(r.family(), r.windowEndMillis(), 7, r.mutations()));
    Restatement.Coder.of().verifyDeterministic();
    assertEquals("activity.v1@1767229200000", r.cells());
    assertNotEquals(r.cells(), new Restatement("activity.v1", 1_767_232_800_000L, 7, List.of()).cells());
  }
}
