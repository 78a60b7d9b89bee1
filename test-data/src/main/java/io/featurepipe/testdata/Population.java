package io.featurepipe.testdata;

import io.featurepipe.testdata.Merchant.Kind;
import io.featurepipe.testdata.UserProfile.FraudIncident;
import io.featurepipe.testdata.UserProfile.FraudType;
import io.featurepipe.testdata.UserProfile.Subscription;
import io.featurepipe.testdata.UserProfile.Trip;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Creates the merchants and users of a run from its seed. */
final class Population {
  private Population() {}

  /** The online merchants after the hot one: (category, kind, country), repeated as needed. */
  private static final Object[][] ONLINE_SPECS = {
    {Category.DIGITAL, Kind.GLOBAL_ONLINE, null},
    {Category.ELECTRONICS, Kind.ONLINE, Country.US},
    {Category.FASHION, Kind.ONLINE, Country.NL},
    {Category.TRAVEL, Kind.ONLINE, Country.NL},
    {Category.GIFT_CARDS, Kind.ONLINE, Country.AE},
    {Category.DIGITAL, Kind.GLOBAL_ONLINE, null},
    {Category.ELECTRONICS, Kind.ONLINE, Country.GB},
    {Category.TRAVEL, Kind.ONLINE, Country.US},
    {Category.FASHION, Kind.ONLINE, Country.GB},
    {Category.ENTERTAINMENT, Kind.GLOBAL_ONLINE, null},
  };

  private static final Country[] PHYSICAL_COUNTRIES = {
    Country.DE, Country.GB, Country.FR, Country.US, Country.NL, Country.ES, Country.IT, Country.PL,
    Country.CH, Country.DE, Country.GB, Country.US, Country.FR, Country.BR, Country.AE, Country.ES
  };

  private static final Category[] PHYSICAL_CATEGORIES = {
    Category.GROCERY, Category.RESTAURANT, Category.CAFE, Category.FUEL, Category.PHARMACY,
    Category.FASHION, Category.ELECTRONICS, Category.ENTERTAINMENT, Category.TRANSPORT,
    Category.JEWELRY, Category.GROCERY, Category.RESTAURANT
  };

  private static final int[] BILLING_HOURS = {0, 0, 6, 12, 18};

  /** Monthly subscription prices in euros (billed as local x.99 prices). */
  private static final double[] SUBSCRIPTION_PRICES_EUR = {5, 10, 13, 18};

  static List<Merchant> merchants(long seed, int count) {
    Rng r = Rng.of(seed, "merchants");
    List<Merchant> out = new ArrayList<>(count);
    out.add(new Merchant(merchantId(0), Category.MARKETPLACE, Kind.GLOBAL_ONLINE, null, 1.0, 1.0, 0, true));
    int online = count >= 3 ? Math.max(1, (int) Math.round((count - 1) * 0.2)) : count - 1;
    for (int i = 0; i < online; i++) {
      Object[] spec = ONLINE_SPECS[i % ONLINE_SPECS.length];
      Category c = (Category) spec[0];
      int billing = c == Category.DIGITAL ? BILLING_HOURS[r.nextInt(BILLING_HOURS.length)] : 0;
      out.add(new Merchant(merchantId(out.size()), c, (Kind) spec[1], (Country) spec[2],
          r.logNormal(1.0, 0.2), r.logNormal(1.0, 0.5), billing, false));
    }
    for (int j = 0; out.size() < count; j++) {
      out.add(new Merchant(merchantId(out.size()), PHYSICAL_CATEGORIES[j % PHYSICAL_CATEGORIES.length],
          Kind.PHYSICAL, PHYSICAL_COUNTRIES[j % PHYSICAL_COUNTRIES.length],
          r.logNormal(1.0, 0.2), r.logNormal(1.0, 0.5), 0, false));
    }
    return Collections.unmodifiableList(out);
  }

  static String merchantId(int index) {
    return Formats.pad(new StringBuilder("m"), index + 1, 3).toString();
  }

  static List<UserProfile> users(PaymentsConfig cfg, List<Merchant> merchants) {
    long seed = cfg.seed();
    Persona[] personas = Persona.values();
    double[] personaWeights = new double[personas.length];
    for (int i = 0; i < personas.length; i++) {
      personaWeights[i] = personas[i].share();
    }
    Country[] countries = Country.values();
    double[] homeWeights = new double[countries.length];
    for (int i = 0; i < countries.length; i++) {
      homeWeights[i] = countries[i].homeWeight();
    }
    double meanActivity = Persona.meanActivity();
    double meanLogin = Persona.meanLoginFactor();
    List<Merchant> subscriptionMerchants = new ArrayList<>();
    for (Merchant m : merchants) {
      if (m.category() == Category.DIGITAL && m.kind() == Kind.GLOBAL_ONLINE) {
        subscriptionMerchants.add(m);
      }
    }
    Merchant hot = merchants.get(0);

    List<UserProfile> users = new ArrayList<>(cfg.users());
    int cardSeq = 0;
    for (int u = 0; u < cfg.users(); u++) {
      Rng r = Rng.of(seed, "user", u);
      Persona persona = personas[r.weighted(personaWeights)];
      Country home = countries[r.weighted(homeWeights)];
      double spend = persona.spend() * r.logNormal(1.0, 0.35);
      // log-normal jitter divided by its mean exp(sigma^2 / 2), so the mean stays as configured
      double activity = cfg.paymentsPerUserPerDay() * persona.activity() / meanActivity
          * r.logNormal(1.0, 0.3) / StrictMath.exp(0.045);
      double loginActivity = cfg.loginsPerUserPerDay() * persona.loginFactor() / meanLogin
          * r.logNormal(1.0, 0.4) / StrictMath.exp(0.08);

      int nCards = 1 + r.weighted(new double[] {55, 35, 10});
      List<String> cards = new ArrayList<>();
      for (int k = 0; k < nCards; k++) {
        long number = (cardSeq++ * 7919L + 123457L) % 1_000_000L; // a bijection: unique numbers
        cards.add(Formats.pad(new StringBuilder(home.name()), number, 6).toString());
      }
      int nDevices = 1 + r.weighted(new double[] {50, 40, 10});
      List<String> devices = new ArrayList<>();
      for (int k = 0; k < nDevices; k++) {
        devices.add(deviceId(seed, "device", u, k));
      }
      String newDevice = null;
      int newDeviceDay = -1;
      if (cfg.days() >= 2 && r.chance(0.10)) {
        newDeviceDay = r.between(1, cfg.days() - 1);
        newDevice = deviceId(seed, "new-device", u, 0);
      }

      // favourite merchants: a few terminals near home and a few online shops, by taste
      List<Merchant> preferred = new ArrayList<>();
      List<Double> preferredWeights = new ArrayList<>();
      for (boolean online : new boolean[] {false, true}) {
        List<Merchant> candidates = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        for (Merchant m : merchants) {
          if (!m.hot() && (online ? m.online() : !m.online() && m.country() == home)) {
            candidates.add(m);
            weights.add(Simulation.merchantWeight(persona, home, m, false));
          }
        }
        int k = Math.min(candidates.size(), online ? r.between(2, 4) : r.between(2, 5));
        for (int i = 0; i < k; i++) {
          int pick = r.weighted(weights.stream().mapToDouble(Double::doubleValue).toArray());
          preferred.add(candidates.remove(pick));
          weights.remove(pick);
          preferredWeights.add(1.0 / StrictMath.pow(i + 1, 0.8));
        }
      }
      if (preferred.isEmpty()) {
        preferred.add(hot);
        preferredWeights.add(1.0);
      }

      List<Subscription> subscriptions = new ArrayList<>();
      double subscribeProbability =
          persona == Persona.STUDENT || persona == Persona.NIGHT_OWL ? 0.6 : 0.35;
      for (Merchant m : subscriptionMerchants) {
        if (r.chance(subscribeProbability)) {
          double eur = SUBSCRIPTION_PRICES_EUR[r.nextInt(SUBSCRIPTION_PRICES_EUR.length)];
          long cents = Math.max(1, Math.round(eur * home.perEur())) * 100 - 1;
          subscriptions.add(new Subscription(m, r.between(1, 28), cents));
        }
      }

      List<Trip> trips = new ArrayList<>();
      for (int d = 0; d < cfg.days(); d++) {
        if (r.chance(persona.travelProbability())) {
          int len = r.between(2, 5);
          Country dest = pick(r, Country.TRAVEL_DESTINATIONS, Country.TRAVEL_WEIGHTS, home);
          int last = Math.min(d + len - 1, cfg.days() - 1);
          trips.add(new Trip(d, last, dest));
          d = last + 1; // at least a day at home between trips
        }
      }

      FraudIncident fraud = null;
      Rng f = Rng.of(seed, "fraud", u);
      if (cfg.days() >= 2 && f.chance(cfg.fraudUserShare())) {
        FraudType type = f.chance(0.6) ? FraudType.ACCOUNT_TAKEOVER : FraudType.CARD_CLONED;
        int day = f.between(1, cfg.days() - 1);
        long start = cfg.start().plusDays(day).toEpochDay() * Simulation.MICROS_PER_DAY
            + f.nextLong(20L * Simulation.MICROS_PER_HOUR);
        Country where = pick(f, Country.FRAUD_COUNTRIES, Country.FRAUD_WEIGHTS, home);
        fraud = new FraudIncident(type, start, where, deviceId(seed, "fraud-device", u, 0),
            cards.get(f.nextInt(cards.size())));
      }

      users.add(new UserProfile(
          Formats.pad(new StringBuilder("u"), u + 1, 4).toString(), u, persona, home, spend, activity,
          loginActivity, List.copyOf(cards), List.copyOf(devices), newDevice, newDeviceDay,
          List.copyOf(preferred), List.copyOf(preferredWeights), List.copyOf(subscriptions),
          List.copyOf(trips), fraud));
    }
    return Collections.unmodifiableList(users);
  }

  /** A weighted pick that is never {@code not} (falls back to the first other choice). */
  private static Country pick(Rng r, Country[] choices, double[] weights, Country not) {
    double[] w = weights.clone();
    for (int i = 0; i < choices.length; i++) {
      if (choices[i] == not) {
        w[i] = 0;
      }
    }
    return choices[r.weighted(w)];
  }

  private static String deviceId(long seed, String kind, int user, int k) {
    long v = Rng.of(seed, kind, user, k).nextLong() & 0xFFFFFFFFL;
    String hex = Long.toHexString(v);
    StringBuilder b = new StringBuilder("d");
    for (int i = hex.length(); i < 8; i++) {
      b.append('0');
    }
    return b.append(hex).toString();
  }
}
