package io.featurepipe.testdata;

import io.featurepipe.testdata.Merchant.Kind;
import io.featurepipe.testdata.UserProfile.FraudIncident;
import io.featurepipe.testdata.UserProfile.FraudType;
import io.featurepipe.testdata.UserProfile.Subscription;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Simulates the users of a {@link Population} day by day: regular payments, split-tender pairs,
 * subscription charges at exact hours, batches at the hot merchant sharing one timestamp, logins,
 * and the fraud incidents. Produces events in generation order; {@link PaymentsGenerator} orders
 * them into files.
 */
final class Simulation {
  static final long MICROS_PER_SECOND = 1_000_000L;
  static final long MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
  static final long MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;
  static final long MICROS_PER_DAY = 24 * MICROS_PER_HOUR;

  /** Share of favourite-merchant picks (the rest explore). */
  private static final double PREFERRED_SHARE = 0.8;
  /** Share of terminal payments split across two cards of the user at the same instant. */
  private static final double SPLIT_TENDER_RATE = 0.012;
  private static final double NULL_AMOUNT_RATE = 0.004;
  private static final double NULL_CATEGORY_RATE = 0.008;
  private static final double LOGIN_FAILURE_RATE = 0.05;
  private static final double[] GIFT_CARD_EUR = {25, 50, 50, 100};
  private static final double[] FRAUD_GIFT_CARD_EUR = {100, 150, 200, 250};

  private final PaymentsConfig cfg;
  private final List<Merchant> merchants;
  private final List<UserProfile> users;
  private final Merchant hot;
  private final long periodStart;
  private final long periodEnd;
  private final long txnSalt;
  private long txnSeq;

  final List<Payment> payments = new ArrayList<>();
  final List<Login> logins = new ArrayList<>();

  Simulation(PaymentsConfig cfg, List<Merchant> merchants, List<UserProfile> users) {
    this.cfg = cfg;
    this.merchants = merchants;
    this.users = users;
    this.hot = merchants.get(0);
    this.periodStart = cfg.start().toEpochDay() * MICROS_PER_DAY;
    this.periodEnd = periodStart + cfg.days() * MICROS_PER_DAY;
    this.txnSalt = Rng.mix(cfg.seed() ^ 0x7478_6e5fL);
  }

  void run() {
    for (int d = 0; d < cfg.days(); d++) {
      LocalDate date = cfg.start().plusDays(d);
      boolean weekend = isWeekendOrHoliday(date);
      long dayStart = date.toEpochDay() * MICROS_PER_DAY;
      for (UserProfile u : users) {
        userDay(Rng.of(cfg.seed(), "day", u.index(), d), u, d, date, dayStart, weekend);
      }
      hotMerchantBatch(Rng.of(cfg.seed(), "batch", d), dayStart, weekend);
    }
    for (UserProfile u : users) {
      if (u.fraud() != null) {
        fraud(Rng.of(cfg.seed(), "fraud-events", u.index()), u, u.fraud());
      }
    }
  }

  static boolean isWeekendOrHoliday(LocalDate date) {
    DayOfWeek w = date.getDayOfWeek();
    if (w == DayOfWeek.SATURDAY || w == DayOfWeek.SUNDAY) {
      return true;
    }
    int m = date.getMonthValue();
    int dm = date.getDayOfMonth();
    return (m == 1 && dm == 1) || (m == 12 && (dm == 25 || dm == 26));
  }

  // ---------------------------------------------------------------- regular activity

  private void userDay(Rng r, UserProfile u, int d, LocalDate date, long dayStart, boolean weekend) {
    Persona p = u.persona();
    Country location = u.locationOn(d);
    boolean abroad = location != u.home();
    double wf = p.weekendFactor();
    double lambda = u.activity() * 7.0 / (5 + 2 * wf) * (weekend ? wf : 1.0) * (abroad ? 1.15 : 1.0);
    double[] hours = utcHourWeights(p, weekend, location);

    int n = r.poisson(lambda);
    for (int i = 0; i < n; i++) {
      long t = dayStart + timeOfDay(r, hours);
      Merchant m = chooseMerchant(r, u, location, abroad, weekend);
      String card = chooseCard(r, u);
      String channel = channel(r, u, m);
      addPayment(r, u, t, m, card, amountCents(r, u, m), channel, false);
      if (!m.online() && u.cards().size() >= 2 && r.chance(SPLIT_TENDER_RATE)) {
        // split tender: the rest of the bill on another card, at the same instant
        String other = u.cards().get(card.equals(u.cards().get(0)) ? 1 : 0);
        addPayment(r, u, t, m, other, amountCents(r, u, m), channel, false);
      }
    }

    for (Subscription s : u.subscriptions()) {
      if (date.getDayOfMonth() == s.dayOfMonth()) {
        long t = dayStart + s.merchant().billingHourUtc() * MICROS_PER_HOUR; // exactly on the hour
        addPayment(r, u, t, s.merchant(), u.cards().get(0), s.priceCents(), "web", false);
      }
    }

    List<String> devices = new ArrayList<>(u.devices());
    boolean newDeviceToday = u.newDevice() != null && d == u.newDeviceDay();
    if (u.newDevice() != null && d >= u.newDeviceDay()) {
      devices.add(0, u.newDevice()); // the new phone becomes the main device
    }
    int logins = r.poisson(u.loginActivity() * (weekend ? 1.1 : 1.0));
    if (newDeviceToday) {
      logins = Math.max(logins, 1);
    }
    for (int j = 0; j < logins; j++) {
      long t = dayStart + timeOfDay(r, hours);
      String device = newDeviceToday && j == 0 ? u.newDevice() : chooseDevice(r, devices);
      boolean ok = !r.chance(LOGIN_FAILURE_RATE);
      addLogin(r, u, t, device, location, ok);
      if (!ok && r.chance(0.8)) {
        long retry = t + r.between(4, 60) * MICROS_PER_SECOND + r.nextLong(MICROS_PER_SECOND);
        addLogin(r, u, retry, device, location, true);
      }
    }
  }

  /** A few users paying the hot merchant at one identical instant (a batch of authorizations). */
  private void hotMerchantBatch(Rng r, long dayStart, boolean weekend) {
    if (cfg.hotMerchantShare() <= 0 || users.size() < 2 || !r.chance(0.6)) {
      return;
    }
    int k = r.between(2, Math.min(4, users.size()));
    long t = dayStart + timeOfDay(r, utcHourWeights(Persona.FAMILY, weekend, Country.DE));
    List<Integer> chosen = new ArrayList<>();
    while (chosen.size() < k) {
      int u = r.nextInt(users.size());
      if (!chosen.contains(u)) {
        chosen.add(u);
      }
    }
    for (int u : chosen) {
      UserProfile user = users.get(u);
      addPayment(r, user, t, hot, chooseCard(r, user), amountCents(r, user, hot), channel(r, user, hot), false);
    }
  }

  /**
   * Relative weight of a merchant for a user's taste: category affinity times popularity; online
   * shops abroad are used less than domestic ones.
   */
  static double merchantWeight(Persona p, Country home, Merchant m, boolean weekend) {
    double w = p.affinity(m.category()) * m.popularity();
    if (m.kind() == Kind.ONLINE && m.country() != home) {
      w *= 0.35;
    }
    if (weekend) {
      w *= m.category().weekendFactor();
    }
    return w;
  }

  /**
   * The merchant of a regular payment: the hot merchant for its share; else online or at a
   * terminal by the persona's habit, then a favourite (mostly) or another merchant by taste; on a
   * trip, terminals are those of the country visited.
   */
  private Merchant chooseMerchant(Rng r, UserProfile u, Country location, boolean abroad, boolean weekend) {
    if (r.chance(cfg.hotMerchantShare())) {
      return hot;
    }
    boolean online = r.chance(u.persona().onlineShare());
    if (!online && abroad) {
      Merchant m = pick(r, u, location, weekend, false);
      if (m != null) {
        return m;
      }
      online = true;
    }
    if (r.chance(PREFERRED_SHARE)) {
      double[] w = new double[u.preferred().size()];
      for (int i = 0; i < w.length; i++) {
        Merchant m = u.preferred().get(i);
        w[i] = m.online() != online ? 0 : u.preferredWeights().get(i)
            * (weekend ? m.category().weekendFactor() : 1.0);
      }
      if (sum(w) > 0) {
        return u.preferred().get(r.weighted(w));
      }
    }
    Merchant m = pick(r, u, location, weekend, online);
    if (m == null) {
      m = pick(r, u, location, weekend, !online);
    }
    return m != null ? m : hot;
  }

  /** By taste: an online merchant, or a terminal in {@code location}; null if there is none. */
  private Merchant pick(Rng r, UserProfile u, Country location, boolean weekend, boolean online) {
    List<Merchant> candidates = new ArrayList<>();
    for (Merchant m : merchants) {
      if (!m.hot() && (online ? m.online() : !m.online() && m.country() == location)) {
        candidates.add(m);
      }
    }
    if (candidates.isEmpty()) {
      return null;
    }
    double[] w = new double[candidates.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = merchantWeight(u.persona(), u.home(), candidates.get(i), weekend);
    }
    return candidates.get(r.weighted(w));
  }

  private static String chooseCard(Rng r, UserProfile u) {
    if (u.cards().size() == 1 || r.chance(0.8)) {
      return u.cards().get(0);
    }
    return u.cards().get(1 + r.nextInt(u.cards().size() - 1));
  }

  private static String chooseDevice(Rng r, List<String> devices) {
    if (devices.size() == 1 || r.chance(0.7)) {
      return devices.get(0);
    }
    return devices.get(1 + r.nextInt(devices.size() - 1));
  }

  private static String channel(Rng r, UserProfile u, Merchant m) {
    if (!m.online()) {
      return "pos";
    }
    return r.chance(u.persona().appShare()) ? "app" : "web";
  }

  /** Where a payment is booked: the merchant's country, or the user's for global platforms. */
  private static Country countryOf(UserProfile u, Merchant m) {
    return m.kind() == Kind.GLOBAL_ONLINE ? u.home() : m.country();
  }

  private static long amountCents(Rng r, UserProfile u, Merchant m) {
    Category c = m.category();
    Country where = countryOf(u, m);
    if (c == Category.GIFT_CARDS) {
      return Math.round(GIFT_CARD_EUR[r.nextInt(GIFT_CARD_EUR.length)] * where.perEur()) * 100;
    }
    double elasticity = (c == Category.FUEL || c == Category.TRANSPORT) ? 0.3 : 0.8;
    double eur = Math.min(20_000, r.logNormal(c.medianEur(), c.sigma())
        * m.priceFactor() * StrictMath.pow(u.spendLevel(), elasticity));
    double local = eur * where.perEur();
    if (c == Category.DIGITAL) {
      return Math.max(1, Math.round(local)) * 100 - 1; // app-store style x.99 prices
    }
    return Math.max(50, Math.round(local * 100));
  }

  // ---------------------------------------------------------------- fraud

  private void fraud(Rng r, UserProfile u, FraudIncident f) {
    long t = f.startMicros();
    if (f.type() == FraudType.ACCOUNT_TAKEOVER) {
      // credential stuffing from a device and country the user never used
      int failures = r.between(0, 4);
      for (int i = 0; i < failures; i++) {
        addLogin(r, u, t, f.deviceId(), f.country(), false);
        t += r.between(5, 90) * MICROS_PER_SECOND + r.nextLong(MICROS_PER_SECOND);
      }
      addLogin(r, u, t, f.deviceId(), f.country(), true);
      t += r.between(2, 40) * MICROS_PER_MINUTE + r.nextLong(MICROS_PER_MINUTE);
      if (r.chance(0.4)) {
        t = cardTests(r, u, f, t, onlineIn(f.country(), false));
      }
      List<Merchant> targets = onlineIn(f.country(), true);
      int n = r.between(3, 9);
      for (int i = 0; i < n; i++) {
        Merchant m = r.chance(0.2) ? hot : targets.get(r.nextInt(targets.size()));
        String channel = r.chance(0.7) ? "web" : "app";
        addPayment(r, u, t, m, f.cardId(), fraudAmountCents(r, u, m), channel, true);
        t += r.between(20, 900) * MICROS_PER_SECOND + r.nextLong(MICROS_PER_SECOND);
      }
    } else {
      // a skimmed card used at terminals abroad, often tested with small charges first
      List<Merchant> terminals = physicalFor(f.country(), u.home());
      if (r.chance(0.6)) {
        t = cardTests(r, u, f, t, terminals.isEmpty() ? onlineIn(f.country(), false) : terminals);
      }
      List<Merchant> targets = terminals.isEmpty() ? onlineIn(f.country(), true) : terminals;
      int n = r.between(2, 6);
      for (int i = 0; i < n; i++) {
        Merchant m = targets.get(r.nextInt(targets.size()));
        addPayment(r, u, t, m, f.cardId(), fraudAmountCents(r, u, m), m.online() ? "web" : "pos", true);
        t += r.between(2, 30) * MICROS_PER_MINUTE + r.nextLong(MICROS_PER_MINUTE);
      }
    }
  }

  /** One or two charges of 0.50 to 2.00 euros, to check that the card works. */
  private long cardTests(Rng r, UserProfile u, FraudIncident f, long t, List<Merchant> where) {
    int tests = r.between(1, 2);
    for (int i = 0; i < tests; i++) {
      Merchant m = where.get(r.nextInt(where.size()));
      long cents = Math.max(50, Math.round(r.uniform(0.5, 2.0) * countryOf(u, m).perEur() * 100));
      addPayment(r, u, t, m, f.cardId(), cents, m.online() ? "web" : "pos", true);
      t += r.between(20, 180) * MICROS_PER_SECOND + r.nextLong(MICROS_PER_SECOND);
    }
    return t + r.between(1, 20) * MICROS_PER_MINUTE;
  }

  private static long fraudAmountCents(Rng r, UserProfile u, Merchant m) {
    Country where = countryOf(u, m);
    if (m.category() == Category.GIFT_CARDS) {
      return Math.round(FRAUD_GIFT_CARD_EUR[r.nextInt(FRAUD_GIFT_CARD_EUR.length)] * where.perEur()) * 100;
    }
    double eur = Math.max(60, Math.min(6000, r.logNormal(420, 0.6)));
    return Math.round(eur * where.perEur() * 100);
  }

  /**
   * Online merchants for fraud: resellable goods, those registered in {@code country} first. With
   * {@code fraudProne} false: any online merchant (for card tests). Never empty (falls back to the
   * hot merchant).
   */
  private List<Merchant> onlineIn(Country country, boolean fraudProne) {
    List<Merchant> local = new ArrayList<>();
    List<Merchant> any = new ArrayList<>();
    for (Merchant m : merchants) {
      if (m.hot() || !m.online() || (fraudProne && !m.category().fraudProne())) {
        continue;
      }
      any.add(m);
      if (m.country() == country) {
        local.add(m);
      }
    }
    if (!local.isEmpty()) {
      local.addAll(any); // local ones twice as likely
      return local;
    }
    return any.isEmpty() ? List.of(hot) : any;
  }

  /** Terminals in {@code country} (resellable goods first), else any terminal abroad. */
  private List<Merchant> physicalFor(Country country, Country home) {
    List<Merchant> prone = new ArrayList<>();
    List<Merchant> there = new ArrayList<>();
    List<Merchant> abroad = new ArrayList<>();
    for (Merchant m : merchants) {
      if (m.online()) {
        continue;
      }
      if (m.country() == country) {
        there.add(m);
        if (m.category().fraudProne()) {
          prone.add(m);
        }
      } else if (m.country() != home) {
        abroad.add(m);
      }
    }
    if (!prone.isEmpty()) {
      prone.addAll(there);
      return prone;
    }
    return there.isEmpty() ? abroad : there;
  }

  // ---------------------------------------------------------------- events

  private void addPayment(Rng r, UserProfile u, long t, Merchant m, String card, long cents,
      String channel, boolean fraud) {
    // draw everything first, so that dropping an event outside the period shifts no later draw
    boolean nullAmount = !fraud && r.chance(NULL_AMOUNT_RATE);
    boolean nullCategory = !fraud && r.chance(NULL_CATEGORY_RATE);
    long arrival = t + arrivalDelay(r);
    String id = txnId(txnSeq++);
    if (t < periodStart || t >= periodEnd) {
      return;
    }
    Country where = countryOf(u, m);
    payments.add(new Payment(
        id,
        Formats.micros(t),
        u.id(),
        card,
        m.id(),
        nullCategory ? null : m.category().code(),
        nullAmount ? null : cents / 100.0,
        where.currency(),
        where.name(),
        channel,
        fraud,
        Formats.micros(arrival)));
  }

  private void addLogin(Rng r, UserProfile u, long t, String device, Country ipCountry, boolean ok) {
    long millis = Math.floorDiv(t, 1000L) * 1000L; // the files hold epoch millis
    long arrival = millis + arrivalDelay(r);
    if (millis < periodStart || millis >= periodEnd) {
      return;
    }
    logins.add(new Login(Formats.micros(millis), u.id(), device, ipCountry.name(), ok, Formats.micros(arrival)));
  }

  /**
   * How long after its event time an event reaches the log: within 3 seconds normally; for the
   * late share, 2 to 20 minutes (65%), 20 to 55 minutes (25%) or 65 minutes to 3 hours (10%, beyond
   * the sources' one-hour allowed lateness).
   */
  private long arrivalDelay(Rng r) {
    boolean late = r.chance(cfg.lateRate());
    double x = r.nextDouble();
    long jitter = r.nextLong(3 * MICROS_PER_SECOND);
    if (!late) {
      return jitter;
    }
    if (x < 0.65) {
      return 2 * MICROS_PER_MINUTE + (long) (x / 0.65 * 18 * MICROS_PER_MINUTE) + jitter;
    }
    if (x < 0.9) {
      return 20 * MICROS_PER_MINUTE + (long) ((x - 0.65) / 0.25 * 35 * MICROS_PER_MINUTE) + jitter;
    }
    return 65 * MICROS_PER_MINUTE + (long) ((x - 0.9) / 0.1 * 115 * MICROS_PER_MINUTE) + jitter;
  }

  /** {@code t} and 12 hex digits: a bijection of the sequence number (unique, not sequential). */
  private String txnId(long seq) {
    long mask = (1L << 48) - 1;
    long x = (seq + txnSalt) & mask;
    x = (x * 0x9E3779B97F4BL) & mask;
    x ^= x >>> 23;
    x = (x * 0x5DEECE66DL) & mask;
    x ^= x >>> 19;
    String hex = Long.toHexString(x);
    StringBuilder b = new StringBuilder("t");
    for (int i = hex.length(); i < 12; i++) {
      b.append('0');
    }
    return b.append(hex).toString();
  }

  // ---------------------------------------------------------------- time of day

  /** Weights of the 24 UTC hours for a persona whose local clock is that of {@code location}. */
  private static double[] utcHourWeights(Persona p, boolean weekend, Country location) {
    double[] local = p.hourWeights(weekend);
    double[] utc = new double[24];
    for (int h = 0; h < 24; h++) {
      utc[h] = local[Math.floorMod(h + location.utcOffsetHours(), 24)];
    }
    return utc;
  }

  /** Microseconds into the day: an hour by weight, then a uniform instant within it. */
  private static long timeOfDay(Rng r, double[] utcHours) {
    int h = r.weighted(utcHours);
    return h * MICROS_PER_HOUR + r.nextLong(MICROS_PER_HOUR);
  }

  private static double sum(double[] w) {
    double s = 0;
    for (double v : w) {
      s += v;
    }
    return s;
  }
}
