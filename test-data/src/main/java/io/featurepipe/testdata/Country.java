package io.featurepipe.testdata;

/**
 * The countries of the sample world: where users live, travel and get defrauded, where merchants
 * trade. Each has its currency, its UTC offset in January (for daily cycles in local time) and an
 * approximate exchange rate (units per euro) used to price payments in the local currency.
 */
public enum Country {
  DE("EUR", 1, 1.00, 22),
  GB("GBP", 0, 0.85, 16),
  FR("EUR", 1, 1.00, 14),
  US("USD", -5, 1.08, 14),
  NL("EUR", 1, 1.00, 8),
  ES("EUR", 1, 1.00, 8),
  IT("EUR", 1, 1.00, 7),
  PL("PLN", 1, 4.30, 6),
  CH("CHF", 1, 0.94, 5),
  BR("BRL", -3, 5.90, 0),
  AE("AED", 4, 3.97, 0);

  private final String currency;
  private final int utcOffsetHours;
  private final double perEur;
  private final double homeWeight;

  Country(String currency, int utcOffsetHours, double perEur, double homeWeight) {
    this.currency = currency;
    this.utcOffsetHours = utcOffsetHours;
    this.perEur = perEur;
    this.homeWeight = homeWeight;
  }

  /** ISO 4217 code of the local currency. */
  public String currency() {
    return currency;
  }

  /** Local time minus UTC, in hours, in January. */
  public int utcOffsetHours() {
    return utcOffsetHours;
  }

  /** Units of the local currency per euro (approximate, fixed). */
  public double perEur() {
    return perEur;
  }

  /** Relative share of users living here (0: nobody lives here, a travel or fraud destination). */
  double homeWeight() {
    return homeWeight;
  }

  /** Where users go on trips. */
  static final Country[] TRAVEL_DESTINATIONS = {ES, IT, FR, GB, US, AE, CH, DE, NL, PL};

  static final double[] TRAVEL_WEIGHTS = {18, 14, 14, 12, 10, 6, 6, 8, 6, 3};

  /** Where stolen cards and taken-over accounts are used. */
  static final Country[] FRAUD_COUNTRIES = {BR, AE, US, GB, PL};

  static final double[] FRAUD_WEIGHTS = {30, 25, 20, 15, 10};
}
