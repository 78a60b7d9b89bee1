package io.featurepipe.testdata;

import java.util.List;

/**
 * A cardholder of the sample world: persona, home, cards and devices, favourite merchants,
 * subscriptions, trips, and, for a few, the fraud incident that hits them.
 *
 * @param id {@code u0001}, {@code u0002}, ...
 * @param spendLevel multiplies amounts (persona level times a personal factor)
 * @param activity mean payments per day
 * @param loginActivity mean logins per day
 * @param cards card ids, the primary first
 * @param devices devices used from the first day, the primary first
 * @param newDevice a device first used on {@code newDeviceDay} (a new phone), or null
 * @param newDeviceDay day index (0 = the start date) of the new device, or -1
 * @param preferred favourite merchants, most used first
 * @param preferredWeights how often each favourite is chosen, relative
 */
public record UserProfile(
    String id,
    int index,
    Persona persona,
    Country home,
    double spendLevel,
    double activity,
    double loginActivity,
    List<String> cards,
    List<String> devices,
    String newDevice,
    int newDeviceDay,
    List<Merchant> preferred,
    List<Double> preferredWeights,
    List<Subscription> subscriptions,
    List<Trip> trips,
    FraudIncident fraud) {

  /** A recurring monthly charge, run at an exact hour ({@code HH:00:00.000000}). */
  public record Subscription(Merchant merchant, int dayOfMonth, long priceCents) {}

  /** Days (indices, inclusive) the user spends abroad. */
  public record Trip(int firstDay, int lastDay, Country country) {}

  /** How the user's card or account is abused. */
  public enum FraudType {
    /** Credentials stolen: failed then successful logins from a new device abroad, then online buys. */
    ACCOUNT_TAKEOVER,
    /** Card skimmed: terminal payments abroad, often after small card-testing charges. */
    CARD_CLONED
  }

  /**
   * The one fraud incident of a user.
   *
   * @param startMicros epoch microseconds of its first event
   * @param country where the fraudster is
   * @param deviceId the fraudster's device (account takeover)
   * @param cardId the abused card
   */
  public record FraudIncident(
      FraudType type, long startMicros, Country country, String deviceId, String cardId) {}

  /** Where the user is on a day: abroad on a trip, or at home. */
  public Country locationOn(int day) {
    for (Trip t : trips) {
      if (day >= t.firstDay() && day <= t.lastDay()) {
        return t.country();
      }
    }
    return home;
  }
}
