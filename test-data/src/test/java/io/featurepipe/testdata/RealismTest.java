package io.featurepipe.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.testdata.UserProfile.FraudType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Properties of the sample data that tests and demos downstream rely on. */
class RealismTest {
  private static GeneratedData g;
  private static Map<String, UserProfile> users;

  @BeforeAll
  static void generate() {
    g = new PaymentsGenerator(PaymentsConfig.sample()).generate();
    users = g.users().stream().collect(Collectors.toMap(UserProfile::id, u -> u));
  }

  private static double share(List<Payment> ps, Predicate<Payment> p) {
    return ps.stream().filter(p).count() / (double) ps.size();
  }

  private static void assertBetween(double lo, double hi, double v, String what) {
    assertTrue(v >= lo && v <= hi, what + " = " + v + ", expected in [" + lo + ", " + hi + "]");
  }

  @Test
  void sizes() {
    assertBetween(15_000, 25_000, g.payments().size(), "payments");
    assertBetween(2_000, 6_000, g.logins().size(), "logins");
    assertEquals(200, g.payments().stream().map(Payment::userId).distinct().count());
    assertEquals(40, g.payments().stream().map(Payment::merchantId).distinct().count());
    long bytes = g.files().values().stream()
        .mapToLong(s -> s.getBytes(StandardCharsets.UTF_8).length).sum();
    assertTrue(bytes < 5_000_000, "sample is " + bytes + " bytes");
    assertEquals(14 * 2 + 2, g.files().size());
    assertEquals(g.payments().size(), g.payments().stream().map(Payment::txnId).distinct().count());
  }

  @Test
  void hotMerchantCarriesALargeShare() {
    Map<String, Long> byMerchant = g.payments().stream()
        .collect(Collectors.groupingBy(Payment::merchantId, Collectors.counting()));
    long hot = byMerchant.get("m001");
    assertBetween(0.17, 0.23, hot / (double) g.payments().size(), "hot merchant share");
    long second = byMerchant.entrySet().stream().filter(e -> !e.getKey().equals("m001"))
        .mapToLong(Map.Entry::getValue).max().orElseThrow();
    assertTrue(hot > 1.5 * second, "hot " + hot + " vs next " + second);
    assertEquals("m001", g.hotMerchant().id());
  }

  @Test
  void fraudIsRareLargeForeignAndPrecededByNewDevices() {
    List<Payment> fraud = g.payments().stream().filter(Payment::isFraud).toList();
    List<Payment> legit = g.payments().stream().filter(p -> !p.isFraud()).toList();
    assertBetween(0.002, 0.02, fraud.size() / (double) g.payments().size(), "fraud share");
    assertTrue(fraud.stream().allMatch(p -> p.amount() != null));
    assertTrue(median(fraud) > 4 * median(legit), median(fraud) + " vs " + median(legit));
    Predicate<Payment> foreign = p -> !p.cardId().startsWith(p.country());
    assertTrue(share(fraud, foreign) > 3 * share(legit, foreign),
        share(fraud, foreign) + " vs " + share(legit, foreign));

    int takeovers = 0;
    for (UserProfile u : g.users()) {
      if (u.fraud() == null || u.fraud().type() != FraudType.ACCOUNT_TAKEOVER) {
        continue;
      }
      Instant firstFraud = fraud.stream().filter(p -> p.userId().equals(u.id()))
          .map(Payment::eventTime).min(Instant::compareTo).orElse(null);
      if (firstFraud == null) {
        continue; // every event of the incident was malformed or past the end
      }
      takeovers++;
      String device = u.fraud().deviceId();
      assertTrue(g.logins().stream().anyMatch(l -> l.userId().equals(u.id()) && l.success()
              && l.deviceId().equals(device) && l.eventTime().isBefore(firstFraud)
              && Duration.between(l.eventTime(), firstFraud).compareTo(Duration.ofHours(2)) < 0),
          "takeover of " + u.id() + " has a login from the new device shortly before");
      assertFalse(u.devices().contains(device));
    }
    assertTrue(takeovers >= 3, "takeovers: " + takeovers);
    assertEquals(g.users().stream().filter(u -> u.fraud() != null).count(),
        fraud.stream().map(Payment::userId).distinct().count());
  }

  @Test
  void optionalColumnsAreSometimesNull() {
    assertBetween(0.001, 0.01, share(g.payments(), p -> p.amount() == null), "null amounts");
    assertBetween(0.002, 0.02, share(g.payments(), p -> p.merchantCategory() == null), "null categories");
  }

  @Test
  void badRecordsAreAboutTheRateAndOfEveryKind() {
    for (String source : List.of("payments", "logins")) {
      int bad = g.badRecords(source).size();
      int valid = source.equals("payments") ? g.payments().size() : g.logins().size();
      assertBetween(0.0008, 0.004, bad / (double) (bad + valid), source + " bad share");
    }
    Set<BadKind> paymentKinds = EnumSet.noneOf(BadKind.class);
    g.badRecords("payments").forEach(b -> paymentKinds.add(b.kind()));
    assertEquals(EnumSet.of(BadKind.TRUNCATED_JSON, BadKind.NON_NUMERIC_AMOUNT,
        BadKind.MISSING_EVENT_TIME, BadKind.UNPARSEABLE_TIMESTAMP, BadKind.NULL_USER_ID), paymentKinds);
    Set<BadKind> loginKinds = EnumSet.noneOf(BadKind.class);
    g.badRecords("logins").forEach(b -> loginKinds.add(b.kind()));
    assertEquals(EnumSet.of(BadKind.WRONG_COLUMN_COUNT, BadKind.UNPARSEABLE_TIMESTAMP,
        BadKind.MISSING_EVENT_TIME), loginKinds);
  }

  @Test
  void everyGoodLineParsesBackAndEveryBadLineIsBadAsDocumented() {
    Set<String> badLines = new HashSet<>();
    for (BadRecord b : g.badRecords()) {
      badLines.add(b.file() + ":" + b.line());
      if (b.source().equals("payments")) {
        assertBadPayment(b);
      } else {
        assertBadLogin(b);
      }
    }
    Map<String, Payment> byId = new HashMap<>();
    g.payments().forEach(p -> byId.put(p.txnId(), p));
    int payments = 0;
    int logins = 0;
    for (Map.Entry<String, String> f : g.files().entrySet()) {
      String[] lines = f.getValue().split("\n");
      for (int i = 0; i < lines.length; i++) {
        if (badLines.contains(f.getKey() + ":" + (i + 1))) {
          continue;
        }
        if (f.getKey().startsWith("payments/")) {
          Map<String, Object> o = FlatJson.parse(lines[i]);
          Payment p = byId.get((String) o.get("txn_id"));
          assertEquals(p.toJson(), lines[i]);
          assertEquals(p.eventTime(), Instant.parse((String) o.get("event_time")));
          assertEquals(f.getKey(), "payments/" + p.day() + ".jsonl");
          Object amount = o.get("amount");
          assertEquals(p.amount(), amount == null ? null : ((BigDecimal) amount).doubleValue());
          payments++;
        } else if (f.getKey().startsWith("logins/") && i > 0) {
          String[] cols = lines[i].split(",", -1);
          assertEquals(5, cols.length);
          Login l = g.logins().get(logins++);
          assertEquals(l.eventTime().toEpochMilli(), Long.parseLong(cols[0]));
          assertEquals(List.of(l.userId(), l.deviceId(), l.ipCountry(), Boolean.toString(l.success())),
              List.of(cols[1], cols[2], cols[3], cols[4]));
          assertEquals(f.getKey(), "logins/" + l.day() + ".csv");
        } else if (f.getKey().startsWith("logins/")) {
          assertEquals("event_time,user_id,device_id,ip_country,success", lines[i]);
        }
      }
    }
    assertEquals(g.payments().size(), payments);
    assertEquals(g.logins().size(), logins);
  }

  private static void assertBadPayment(BadRecord b) {
    switch (b.kind()) {
      case TRUNCATED_JSON -> assertThrows(IllegalArgumentException.class, () -> FlatJson.parse(b.text()));
      case NON_NUMERIC_AMOUNT -> {
        Object amount = FlatJson.parse(b.text()).get("amount");
        assertTrue(amount instanceof String, b.text());
        assertThrows(NumberFormatException.class, () -> Double.parseDouble((String) amount));
      }
      case MISSING_EVENT_TIME -> assertNull(FlatJson.parse(b.text()).get("event_time"), b.text());
      case UNPARSEABLE_TIMESTAMP -> {
        String t = (String) FlatJson.parse(b.text()).get("event_time");
        assertThrows(DateTimeException.class, () -> Instant.parse(t));
        assertThrows(DateTimeException.class, () -> OffsetDateTime.parse(t));
        assertThrows(DateTimeException.class, () -> LocalDateTime.parse(t));
      }
      case NULL_USER_ID -> {
        Map<String, Object> o = FlatJson.parse(b.text());
        assertTrue(o.containsKey("user_id") && o.get("user_id") == null, b.text());
      }
      default -> throw new AssertionError("not a payments defect: " + b);
    }
  }

  private static void assertBadLogin(BadRecord b) {
    String[] cols = b.text().split(",", -1);
    switch (b.kind()) {
      case WRONG_COLUMN_COUNT -> assertTrue(cols.length != 5, b.text());
      case UNPARSEABLE_TIMESTAMP -> {
        assertEquals(5, cols.length);
        assertThrows(NumberFormatException.class, () -> Long.parseLong(cols[0]));
      }
      case MISSING_EVENT_TIME -> {
        assertEquals(5, cols.length);
        assertEquals("", cols[0]);
      }
      default -> throw new AssertionError("not a logins defect: " + b);
    }
  }

  @Test
  void timestampsHaveMicrosecondsTiesAndHourBoundaries() {
    assertTrue(g.payments().stream().allMatch(p -> p.eventTime().getNano() % 1000 == 0));
    assertTrue(share(g.payments(), p -> p.eventTime().getNano() % 1_000_000 != 0) > 0.98);
    assertTrue(g.logins().stream().allMatch(l -> l.eventTime().getNano() % 1_000_000 == 0));

    List<Payment> onHour = g.payments().stream()
        .filter(p -> p.eventTime().getNano() == 0 && p.eventTime().getEpochSecond() % 3600 == 0).toList();
    assertTrue(onHour.size() >= 20, "on the hour: " + onHour.size());
    assertTrue(onHour.stream().anyMatch(p -> p.eventTime().getEpochSecond() % 86400 == 0), "at midnight");

    Map<String, Long> sameUserSameTime = g.payments().stream()
        .collect(Collectors.groupingBy(p -> p.userId() + "@" + p.eventTime(), Collectors.counting()));
    assertTrue(sameUserSameTime.values().stream().filter(c -> c > 1).count() >= 5, "same-user ties");
    Map<Instant, Set<String>> hotUsersByTime = new HashMap<>();
    g.payments().stream().filter(p -> p.merchantId().equals("m001"))
        .forEach(p -> hotUsersByTime.computeIfAbsent(p.eventTime(), t -> new HashSet<>()).add(p.userId()));
    assertTrue(hotUsersByTime.values().stream().filter(s -> s.size() > 1).count() >= 3,
        "several users at the hot merchant at one instant");
  }

  @Test
  void eventsArriveOutOfOrderAndSomeVeryLate() {
    PaymentsConfig c = g.config();
    Instant start = c.start().atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant end = start.plus(Duration.ofDays(c.days()));
    assertTrue(g.payments().stream().allMatch(p -> !p.eventTime().isBefore(start) && p.eventTime().isBefore(end)));
    int outOfOrder = 0;
    Instant maxSeen = Instant.EPOCH;
    LocalDate day = null;
    for (Payment p : g.payments()) {
      if (!p.day().equals(day)) {
        day = p.day();
        maxSeen = Instant.EPOCH;
      }
      if (p.eventTime().isBefore(maxSeen.minusSeconds(60))) {
        outOfOrder++;
      }
      maxSeen = p.eventTime().isAfter(maxSeen) ? p.eventTime() : maxSeen;
    }
    assertBetween(0.01, 0.04, outOfOrder / (double) g.payments().size(), "events over 1 minute out of order");
    long overAnHour = g.payments().stream()
        .filter(p -> Duration.between(p.eventTime(), p.arrivalTime()).toMinutes() > 60).count();
    assertTrue(overAnHour >= 10, "payments arriving over an hour late: " + overAnHour);
  }

  @Test
  void currenciesChannelsCountries() {
    Set<String> currencies = g.payments().stream().map(Payment::currency).collect(Collectors.toSet());
    assertTrue(currencies.containsAll(Set.of("EUR", "GBP", "USD", "PLN", "CHF", "AED")), currencies.toString());
    assertEquals(Set.of("pos", "web", "app"), g.payments().stream().map(Payment::channel).collect(Collectors.toSet()));
    assertBetween(0.35, 0.65, share(g.payments(), p -> p.channel().equals("pos")), "card-present share");
    assertTrue(g.payments().stream().map(Payment::country).distinct().count() >= 9);
    assertBetween(0.03, 0.2, share(g.payments(), p -> !p.isFraud() && !p.cardId().startsWith(p.country())),
        "legitimate cross-border share");
    for (Payment p : g.payments()) {
      assertTrue(users.get(p.userId()).cards().contains(p.cardId()));
    }
    assertTrue(g.users().stream().filter(u -> u.cards().size() > 1).count() > 50);
  }

  @Test
  void dailyCycleInLocalTime() {
    int[] local = new int[24];
    for (Payment p : g.payments()) {
      if (p.eventTime().getNano() == 0 && p.eventTime().getEpochSecond() % 3600 == 0) {
        continue; // scheduled subscription charges
      }
      int offset = users.get(p.userId()).home().utcOffsetHours();
      local[Math.floorMod(p.eventTime().atOffset(ZoneOffset.UTC).getHour() + offset, 24)]++;
    }
    int night = local[2] + local[3] + local[4];
    int evening = local[17] + local[18] + local[19];
    assertTrue(night * 4 < evening, "night " + night + " vs evening " + evening);
  }

  @Test
  void weekendsChangeActivityByPersona() {
    // per persona: mean payments per user and day, on weekends/holidays vs workdays
    Map<Persona, double[]> sums = new HashMap<>();
    Set<LocalDate> weekend = new HashSet<>();
    for (int d = 0; d < g.config().days(); d++) {
      LocalDate date = g.config().start().plusDays(d);
      if (Simulation.isWeekendOrHoliday(date)) {
        weekend.add(date);
      }
    }
    for (Payment p : g.payments()) {
      if (p.isFraud() || p.merchantId().equals("m001")) {
        continue;
      }
      Persona persona = users.get(p.userId()).persona();
      sums.computeIfAbsent(persona, x -> new double[2])[weekend.contains(p.day()) ? 1 : 0]++;
    }
    int weekendDays = weekend.size();
    int workDays = g.config().days() - weekendDays;
    double family = sums.get(Persona.FAMILY)[1] / weekendDays / (sums.get(Persona.FAMILY)[0] / workDays);
    double business = sums.get(Persona.BUSINESS_TRAVELER)[1] / weekendDays
        / (sums.get(Persona.BUSINESS_TRAVELER)[0] / workDays);
    assertTrue(family > 1.1, "family weekend/workday " + family);
    assertTrue(business < 0.85, "business weekend/workday " + business);
  }

  @Test
  void amountsDependOnTheCategory() {
    Map<String, List<Double>> eur = new HashMap<>();
    for (Payment p : g.payments()) {
      if (p.amount() != null && p.merchantCategory() != null && p.currency().equals("EUR") && !p.isFraud()) {
        eur.computeIfAbsent(p.merchantCategory(), x -> new ArrayList<>()).add(p.amount());
      }
    }
    double grocery = medianOf(eur.get("grocery"));
    assertBetween(20, 60, grocery, "grocery median");
    assertTrue(medianOf(eur.get("cafe")) < grocery / 3);
    assertTrue(medianOf(eur.get("electronics")) > 3 * grocery);
    assertTrue(g.payments().stream().filter(p -> p.amount() != null).allMatch(p -> p.amount() > 0));
  }

  @Test
  void spineSamplesPaymentsWithAllFraud() {
    assertEquals(2000, g.spine().size());
    Set<String> payments = g.payments().stream()
        .map(p -> p.userId() + "," + p.merchantId() + "," + p.eventTime() + "," + p.isFraud())
        .collect(Collectors.toSet());
    for (SpineRow s : g.spine()) {
      assertTrue(payments.contains(s.userId() + "," + s.merchantId() + "," + s.eventTime() + "," + s.isFraud()), s.toString());
    }
    assertEquals(g.payments().stream().filter(Payment::isFraud).count(),
        g.spine().stream().filter(SpineRow::isFraud).count());
    List<Instant> times = g.spine().stream().map(SpineRow::eventTime).toList();
    List<Instant> sorted = new ArrayList<>(times);
    Collections.sort(sorted);
    assertEquals(sorted, times);
    assertTrue(g.files().get("spine.csv").startsWith("user_id,merchant_id,event_time,is_fraud\n"));
  }

  @Test
  void manifestCountsMatch() {
    String m = g.files().get("manifest.json");
    assertTrue(m.contains("\"valid\": " + g.payments().size() + ","), m);
    assertTrue(m.contains("\"bad_lines\": " + g.badRecords("payments").size() + ","), m);
    assertTrue(m.contains("\"valid\": " + g.logins().size() + ","), m);
    assertTrue(m.contains("\"bad_lines\": " + g.badRecords("logins").size() + ","), m);
  }

  private static double median(List<Payment> ps) {
    return medianOf(ps.stream().filter(p -> p.amount() != null).map(Payment::amount).toList());
  }

  private static double medianOf(List<Double> values) {
    List<Double> v = new ArrayList<>(values);
    Collections.sort(v);
    return v.get(v.size() / 2);
  }
}
