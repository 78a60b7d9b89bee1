package io.featurepipe.testdata;

import java.util.List;
import java.util.SortedMap;

/**
 * Everything one run of the generator produces.
 *
 * @param payments the valid payments, in file order: day by day, and within a day in arrival order
 *     (so late events come after later ones); sort by {@link Payment#eventTime()} for time order
 * @param logins the valid logins, in file order like the payments
 * @param badRecords the malformed lines written in place of events, in file order
 * @param spine the rows of {@code spine.csv}, by event time
 * @param files every output file: path relative to the output folder → its exact content
 */
public record GeneratedData(
    PaymentsConfig config,
    List<Merchant> merchants,
    List<UserProfile> users,
    List<Payment> payments,
    List<Login> logins,
    List<BadRecord> badRecords,
    List<SpineRow> spine,
    SortedMap<String, String> files) {

  /** The merchant that carries a large share of the traffic ({@code m001}). */
  public Merchant hotMerchant() {
    return merchants.get(0);
  }

  /** The malformed lines of one source ({@code payments} or {@code logins}). */
  public List<BadRecord> badRecords(String source) {
    return badRecords.stream().filter(b -> b.source().equals(source)).toList();
  }
}
