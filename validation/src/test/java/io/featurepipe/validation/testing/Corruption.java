package io.featurepipe.validation.testing;

import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.SourceRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deliberately corrupts a batch of payments: nulls in {@code amount}, out-of-range amounts, a
 * shifted amount distribution, and a flood of a new currency.
 */
public final class Corruption {
  private Corruption() {}

  public static List<SourceRecord> corrupt(SourceDef source, List<SourceRecord> clean, long seed) {
    int amount = source.indexOf("amount");
    int currency = source.indexOf("currency");
    Random random = new Random(seed);
    List<SourceRecord> out = new ArrayList<>();
    for (SourceRecord r : clean) {
      Object[] v = r.values().clone();
      int k = random.nextInt(100);
      if (k < 5) {
        v[amount] = null; // 5% nulls
      } else if (k < 7) {
        v[amount] = k == 5 ? -40.0 : 250_000.0; // out of range
      } else if (v[amount] != null) {
        v[amount] = (Double) v[amount] * 4 + 300; // shifted distribution
      }
      if (random.nextInt(100) < 35) {
        v[currency] = "XTS"; // a flood of a new category
      }
      out.add(new SourceRecord(r.source(), r.eventTimeNanos(), v, r.origin()));
    }
    return out;
  }
}
