package io.featurepipe.testdata;

/**
 * A merchant of the sample world.
 *
 * @param id {@code m001}, {@code m002}, ...; {@code m001} is the hot merchant
 * @param kind where and how it sells
 * @param country where it is registered; null for {@link Kind#GLOBAL_ONLINE} merchants, which
 *     bill every user through a local entity (country and currency of the user's home)
 * @param priceFactor how much dearer or cheaper than its category's median it is
 * @param popularity relative weight when users pick a merchant they have not used before
 * @param billingHourUtc for subscription merchants, the UTC hour recurring charges run at
 * @param hot whether it is the hot merchant, carrying a large share of all payments
 */
public record Merchant(
    String id,
    Category category,
    Kind kind,
    Country country,
    double priceFactor,
    double popularity,
    int billingHourUtc,
    boolean hot) {

  /** How a merchant sells. */
  public enum Kind {
    /** A shop with card terminals: channel {@code pos}, in its country. */
    PHYSICAL,
    /** An online shop registered in one country (cross-border for users elsewhere). */
    ONLINE,
    /** An online platform with a local entity per country (marketplace, streaming). */
    GLOBAL_ONLINE
  }

  public boolean online() {
    return kind != Kind.PHYSICAL;
  }
}
