package io.featurepipe.testdata;

/**
 * Merchant categories with their price model: amounts are log-normal around a median (in euros)
 * with a log-scale spread; the weekend factor scales how much more (or less) a category is used on
 * weekends and holidays.
 */
public enum Category {
  GROCERY("grocery", 32, 0.55, 1.10, false),
  RESTAURANT("restaurant", 24, 0.50, 1.35, false),
  CAFE("cafe", 5.5, 0.40, 0.90, false),
  FUEL("fuel", 55, 0.30, 0.80, false),
  PHARMACY("pharmacy", 17, 0.60, 0.70, false),
  FASHION("fashion", 65, 0.70, 1.30, false),
  ELECTRONICS("electronics", 160, 0.95, 1.20, true),
  TRAVEL("travel", 290, 0.80, 1.00, true),
  ENTERTAINMENT("entertainment", 28, 0.50, 1.60, false),
  DIGITAL("digital", 11, 0.60, 1.10, false),
  MARKETPLACE("marketplace", 36, 0.90, 1.15, false),
  GIFT_CARDS("gift_cards", 50, 0.50, 1.10, true),
  JEWELRY("jewelry", 380, 0.75, 1.20, true),
  TRANSPORT("transport", 7.5, 0.60, 0.60, false);

  private final String code;
  private final double medianEur;
  private final double sigma;
  private final double weekendFactor;
  private final boolean fraudProne;

  Category(String code, double medianEur, double sigma, double weekendFactor, boolean fraudProne) {
    this.code = code;
    this.medianEur = medianEur;
    this.sigma = sigma;
    this.weekendFactor = weekendFactor;
    this.fraudProne = fraudProne;
  }

  /** The value of the {@code merchant_category} column. */
  public String code() {
    return code;
  }

  public double medianEur() {
    return medianEur;
  }

  public double sigma() {
    return sigma;
  }

  public double weekendFactor() {
    return weekendFactor;
  }

  /** Goods that are easy to resell: what fraudsters buy. */
  public boolean fraudProne() {
    return fraudProne;
  }
}
