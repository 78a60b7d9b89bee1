package io.featurepipe.testdata;

import java.time.LocalDate;

/**
 * What to generate. The defaults are those of the committed sample ({@code test-data/sample/}).
 *
 * <pre>{@code
 * PaymentsConfig config = PaymentsConfig.builder().seed(7).days(2).users(20).merchants(10).build();
 * List<Payment> payments = new PaymentsGenerator(config).payments();
 * }</pre>
 *
 * @param seed the only source of randomness: the same config gives the same bytes
 * @param start the first UTC day
 * @param days how many days
 * @param users how many users ({@code u0001}...)
 * @param merchants how many merchants ({@code m001}..., {@code m001} is the hot one)
 * @param paymentsPerUserPerDay mean regular payments per user and day (before subscriptions,
 *     batches and fraud)
 * @param loginsPerUserPerDay mean login sessions per user and day (a failed attempt and its retry
 *     are one session)
 * @param badRecordRate share of lines written malformed, per source
 * @param lateRate share of events that arrive late (2 minutes to 3 hours after their event time)
 * @param hotMerchantShare share of regular payments that go to the hot merchant
 * @param fraudUserShare share of users hit by one fraud incident during the period
 * @param spineRows rows of {@code spine.csv}
 */
public record PaymentsConfig(
    long seed,
    LocalDate start,
    int days,
    int users,
    int merchants,
    double paymentsPerUserPerDay,
    double loginsPerUserPerDay,
    double badRecordRate,
    double lateRate,
    double hotMerchantShare,
    double fraudUserShare,
    int spineRows) {

  public static final long DEFAULT_SEED = 20260101L;

  public PaymentsConfig {
    if (start == null) {
      throw new IllegalArgumentException("start is required");
    }
    if (days < 1 || days > 3660) {
      throw new IllegalArgumentException("days must be in 1..3660: " + days);
    }
    if (users < 1 || users > 9999) {
      throw new IllegalArgumentException("users must be in 1..9999: " + users);
    }
    if (merchants < 1 || merchants > 999) {
      throw new IllegalArgumentException("merchants must be in 1..999: " + merchants);
    }
    requireRate("payments per user per day", paymentsPerUserPerDay, 0, 1000);
    requireRate("logins per user per day", loginsPerUserPerDay, 0, 1000);
    requireRate("bad record rate", badRecordRate, 0, 0.5);
    requireRate("late rate", lateRate, 0, 1);
    requireRate("hot merchant share", hotMerchantShare, 0, 1);
    requireRate("fraud user share", fraudUserShare, 0, 1);
    if (spineRows < 0) {
      throw new IllegalArgumentException("spine rows must be >= 0: " + spineRows);
    }
  }

  private static void requireRate(String what, double v, double lo, double hi) {
    if (!(v >= lo && v <= hi)) {
      throw new IllegalArgumentException(what + " must be in [" + lo + ", " + hi + "]: " + v);
    }
  }

  /** The configuration of the committed sample. */
  public static PaymentsConfig sample() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .seed(seed)
        .start(start)
        .days(days)
        .users(users)
        .merchants(merchants)
        .paymentsPerUserPerDay(paymentsPerUserPerDay)
        .loginsPerUserPerDay(loginsPerUserPerDay)
        .badRecordRate(badRecordRate)
        .lateRate(lateRate)
        .hotMerchantShare(hotMerchantShare)
        .fraudUserShare(fraudUserShare)
        .spineRows(spineRows);
  }

  /** Builds a {@link PaymentsConfig}; starts from the sample's values. */
  public static final class Builder {
    private long seed = DEFAULT_SEED;
    private LocalDate start = LocalDate.of(2026, 1, 1);
    private int days = 14;
    private int users = 200;
    private int merchants = 40;
    private double paymentsPerUserPerDay = 6.5;
    private double loginsPerUserPerDay = 1.0;
    private double badRecordRate = 0.002;
    private double lateRate = 0.02;
    private double hotMerchantShare = 0.2;
    private double fraudUserShare = 0.08;
    private int spineRows = 2000;

    private Builder() {}

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder start(LocalDate v) {
      start = v;
      return this;
    }

    public Builder days(int v) {
      days = v;
      return this;
    }

    public Builder users(int v) {
      users = v;
      return this;
    }

    public Builder merchants(int v) {
      merchants = v;
      return this;
    }

    public Builder paymentsPerUserPerDay(double v) {
      paymentsPerUserPerDay = v;
      return this;
    }

    public Builder loginsPerUserPerDay(double v) {
      loginsPerUserPerDay = v;
      return this;
    }

    public Builder badRecordRate(double v) {
      badRecordRate = v;
      return this;
    }

    public Builder lateRate(double v) {
      lateRate = v;
      return this;
    }

    public Builder hotMerchantShare(double v) {
      hotMerchantShare = v;
      return this;
    }

    public Builder fraudUserShare(double v) {
      fraudUserShare = v;
      return this;
    }

    public Builder spineRows(int v) {
      spineRows = v;
      return this;
    }

    public PaymentsConfig build() {
      return new PaymentsConfig(
          seed,
          start,
          days,
          users,
          merchants,
          paymentsPerUserPerDay,
          loginsPerUserPerDay,
          badRecordRate,
          lateRate,
          hotMerchantShare,
          fraudUserShare,
          spineRows);
    }
  }
}
