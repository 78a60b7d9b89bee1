package io.featurepipe.testdata;

import java.util.EnumMap;
import java.util.Map;

/**
 * Kinds of cardholders. A persona sets how often and how much a user pays, how much of it online,
 * which categories they favour, how often they travel, how weekends change their activity, and
 * their daily cycle (a curve over local hours, different on weekends).
 */
public enum Persona {
  COMMUTER(0.25, 1.10, 1.00, 0.30, 0.75, 0.80, 0.010,
      bumps(0.05, 7.8, 0.8, 1.0, 12.5, 0.9, 1.0, 18.0, 1.3, 1.2, 21.0, 1.5, 0.3),
      bumps(0.05, 11.0, 2.0, 0.8, 15.0, 2.5, 0.9, 20.0, 2.0, 0.6),
      affinities(Category.CAFE, 3, Category.TRANSPORT, 3, Category.RESTAURANT, 2, Category.GROCERY, 2,
          Category.FUEL, 1, Category.FASHION, 0.6, Category.ELECTRONICS, 0.3,
          Category.ENTERTAINMENT, 0.6, Category.PHARMACY, 0.4, Category.DIGITAL, 0.4,
          Category.TRAVEL, 0.2)),
  FAMILY(0.22, 1.00, 1.25, 0.28, 0.50, 1.30, 0.008,
      bumps(0.05, 10.5, 2.0, 0.8, 17.0, 2.0, 1.1, 20.0, 1.0, 0.3),
      bumps(0.05, 11.0, 2.2, 1.2, 16.0, 2.5, 1.0),
      affinities(Category.GROCERY, 4, Category.FUEL, 1.5, Category.PHARMACY, 1.2, Category.FASHION, 1,
          Category.RESTAURANT, 1, Category.ENTERTAINMENT, 0.8, Category.ELECTRONICS, 0.4,
          Category.DIGITAL, 0.3, Category.TRAVEL, 0.2)),
  STUDENT(0.15, 0.90, 0.55, 0.45, 0.90, 1.10, 0.010,
      bumps(0.08, 13.0, 2.0, 0.9, 21.5, 2.0, 1.0, 0.5, 1.2, 0.4),
      bumps(0.08, 14.0, 2.5, 0.8, 22.5, 2.0, 1.1, 1.5, 1.5, 0.5),
      affinities(Category.CAFE, 2, Category.RESTAURANT, 2, Category.DIGITAL, 1, Category.TRANSPORT, 1.5,
          Category.GROCERY, 1.5, Category.ENTERTAINMENT, 1.2, Category.FASHION, 0.6,
          Category.ELECTRONICS, 0.3)),
  NIGHT_OWL(0.12, 0.90, 0.90, 0.55, 0.80, 1.20, 0.010,
      bumps(0.10, 16.0, 3.0, 0.6, 22.5, 2.0, 1.2, 1.5, 1.5, 0.7),
      bumps(0.10, 17.0, 3.0, 0.6, 23.5, 2.0, 1.2, 2.5, 1.5, 0.7),
      affinities(Category.DIGITAL, 1.2, Category.RESTAURANT, 2, Category.ENTERTAINMENT, 1.5,
          Category.ELECTRONICS, 0.6, Category.GROCERY, 1, Category.FASHION, 0.8, Category.CAFE, 0.5)),
  RETIREE(0.14, 0.70, 0.90, 0.12, 0.20, 1.00, 0.015,
      bumps(0.02, 10.5, 1.8, 1.2, 15.0, 2.0, 0.7),
      bumps(0.02, 11.0, 2.0, 1.0, 15.5, 2.0, 0.6),
      affinities(Category.GROCERY, 4, Category.PHARMACY, 2.5, Category.CAFE, 1, Category.RESTAURANT, 1,
          Category.FASHION, 0.5, Category.TRAVEL, 0.3, Category.JEWELRY, 0.1, Category.FUEL, 0.6)),
  BUSINESS_TRAVELER(0.12, 1.30, 1.80, 0.40, 0.60, 0.60, 0.070,
      bumps(0.05, 7.0, 1.0, 0.9, 12.8, 1.0, 0.9, 20.0, 1.8, 1.0),
      bumps(0.05, 11.0, 2.5, 0.8, 19.5, 2.0, 0.9),
      affinities(Category.RESTAURANT, 3, Category.TRANSPORT, 2, Category.CAFE, 2, Category.TRAVEL, 1.2,
          Category.FUEL, 1, Category.ELECTRONICS, 0.6, Category.DIGITAL, 0.3, Category.FASHION, 0.6,
          Category.JEWELRY, 0.1));

  /** Affinity of a category a persona does not name. */
  private static final double DEFAULT_AFFINITY = 0.15;

  private final double share;
  private final double activity;
  private final double spend;
  private final double onlineShare;
  private final double appShare;
  private final double weekendFactor;
  private final double travelProbability;
  private final double[] weekdayHours;
  private final double[] weekendHours;
  private final Map<Category, Double> affinity;

  Persona(double share, double activity, double spend, double onlineShare, double appShare,
      double weekendFactor, double travelProbability, double[] weekdayHours, double[] weekendHours,
      Map<Category, Double> affinity) {
    this.share = share;
    this.activity = activity;
    this.spend = spend;
    this.onlineShare = onlineShare;
    this.appShare = appShare;
    this.weekendFactor = weekendFactor;
    this.travelProbability = travelProbability;
    this.weekdayHours = weekdayHours;
    this.weekendHours = weekendHours;
    this.affinity = affinity;
  }

  /** Share of users with this persona. */
  public double share() {
    return share;
  }

  /** Relative number of payments per day (1 = average). */
  public double activity() {
    return activity;
  }

  /** Relative amount level. */
  public double spend() {
    return spend;
  }

  /** Share of payments made online (web or app) rather than at a terminal. */
  public double onlineShare() {
    return onlineShare;
  }

  /** Of online payments, the share made in the app (the rest on the web). */
  public double appShare() {
    return appShare;
  }

  /** Activity on weekends and holidays relative to workdays. */
  public double weekendFactor() {
    return weekendFactor;
  }

  /** Probability, on a day at home, of leaving on a trip. */
  public double travelProbability() {
    return travelProbability;
  }

  /** Relative activity per local hour (0..23). */
  double[] hourWeights(boolean weekend) {
    return weekend ? weekendHours : weekdayHours;
  }

  double affinity(Category c) {
    return affinity.getOrDefault(c, DEFAULT_AFFINITY);
  }

  /** The share-weighted mean of {@link #activity()}, to normalise it to 1. */
  static double meanActivity() {
    double s = 0;
    double w = 0;
    for (Persona p : values()) {
      s += p.share * p.activity;
      w += p.share;
    }
    return s / w;
  }

  /** How often a persona logs in, relative: online shoppers log in more. */
  double loginFactor() {
    return 0.4 + 1.2 * onlineShare;
  }

  static double meanLoginFactor() {
    double s = 0;
    double w = 0;
    for (Persona p : values()) {
      s += p.share * p.loginFactor();
      w += p.share;
    }
    return s / w;
  }

  /** A daily curve: a base level plus Gaussian bumps (center hour, width, height), circular. */
  private static double[] bumps(double base, double... triples) {
    double[] w = new double[24];
    for (int h = 0; h < 24; h++) {
      double v = base;
      for (int i = 0; i + 2 < triples.length; i += 3) {
        double d = Math.abs(h + 0.5 - triples[i]);
        d = Math.min(d, 24 - d);
        v += triples[i + 2] * StrictMath.exp(-(d * d) / (2 * triples[i + 1] * triples[i + 1]));
      }
      w[h] = v;
    }
    return w;
  }

  private static Map<Category, Double> affinities(Object... pairs) {
    Map<Category, Double> m = new EnumMap<>(Category.class);
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((Category) pairs[i], ((Number) pairs[i + 1]).doubleValue());
    }
    return m;
  }
}
