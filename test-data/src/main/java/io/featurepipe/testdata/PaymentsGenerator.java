package io.featurepipe.testdata;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A seeded, deterministic generator of realistic card payments and logins for the payments-and-fraud
 * sample domain. The same {@link PaymentsConfig} gives the same events and the same file bytes on
 * every machine and JDK.
 *
 * <p>The world: merchants of several categories in several countries (shops with terminals, online
 * shops, global platforms) with a hot marketplace ({@code m001}) taking a large share of payments;
 * users with personas (spend level, home country, favourite merchants, daily cycle in local time,
 * weekday/weekend habits, trips abroad), one to three cards and one to three devices; log-normal
 * amounts per category in the local currency; subscriptions charged exactly on the hour; split
 * tenders and hot-merchant batches sharing one timestamp; a few fraud incidents (account takeovers
 * after logins from a new device abroad, cloned cards used at terminals abroad, often after card
 * tests) labelled {@code is_fraud}; a few null amounts and categories; late events; and, with a bad
 * record rate, malformed lines. See {@code test-data/README.md}.
 *
 * <pre>{@code
 * PaymentsGenerator gen = new PaymentsGenerator(PaymentsConfig.builder().days(2).users(50).build());
 * List<Payment> payments = gen.payments();
 * gen.writeAll(Path.of("/tmp/data"));   // payments/, logins/, spine.csv, manifest.json
 * }</pre>
 */
public final class PaymentsGenerator {

  /** Malformed payment lines cycle through these kinds, in this order. */
  static final BadKind[] PAYMENT_BAD_KINDS = {
    BadKind.TRUNCATED_JSON, BadKind.NON_NUMERIC_AMOUNT, BadKind.UNPARSEABLE_TIMESTAMP,
    BadKind.MISSING_EVENT_TIME, BadKind.TRUNCATED_JSON, BadKind.NULL_USER_ID,
    BadKind.NON_NUMERIC_AMOUNT, BadKind.UNPARSEABLE_TIMESTAMP
  };

  /** Malformed login lines cycle through these kinds, in this order. */
  static final BadKind[] LOGIN_BAD_KINDS = {
    BadKind.WRONG_COLUMN_COUNT, BadKind.UNPARSEABLE_TIMESTAMP, BadKind.MISSING_EVENT_TIME,
    BadKind.WRONG_COLUMN_COUNT
  };

  private static final String[] DAY_NAMES = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  private static final String[] MONTH_NAMES = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
  };

  private final PaymentsConfig config;
  private GeneratedData data;

  public PaymentsGenerator(PaymentsConfig config) {
    this.config = config;
  }

  public PaymentsConfig config() {
    return config;
  }

  /** Generates everything (once; later calls return the same result). */
  public synchronized GeneratedData generate() {
    if (data == null) {
      data = build();
    }
    return data;
  }

  /** The valid payments, in file order (see {@link GeneratedData#payments()}). */
  public List<Payment> payments() {
    return generate().payments();
  }

  /** The valid logins, in file order. */
  public List<Login> logins() {
    return generate().logins();
  }

  /** The malformed lines written in place of events. */
  public List<BadRecord> badRecords() {
    return generate().badRecords();
  }

  /** The rows of {@code spine.csv}. */
  public List<SpineRow> spine() {
    return generate().spine();
  }

  /** Writes {@code payments/}, {@code logins/}, {@code spine.csv} and {@code manifest.json}. */
  public void writeAll(Path out) throws IOException {
    write(out, "");
  }

  /** Writes {@code payments/YYYY-MM-DD.jsonl}, one file per day. */
  public void writePayments(Path out) throws IOException {
    write(out, "payments/");
  }

  /** Writes {@code logins/YYYY-MM-DD.csv}, one file per day. */
  public void writeLogins(Path out) throws IOException {
    write(out, "logins/");
  }

  /** Writes {@code spine.csv}. */
  public void writeSpine(Path out) throws IOException {
    write(out, "spine.csv");
  }

  private void write(Path out, String prefix) throws IOException {
    for (Map.Entry<String, String> f : generate().files().entrySet()) {
      if (f.getKey().startsWith(prefix)) {
        Path p = out.resolve(f.getKey());
        Files.createDirectories(p.getParent());
        Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
      }
    }
  }

  // ---------------------------------------------------------------- generation

  private GeneratedData build() {
    PaymentsConfig cfg = config;
    List<Merchant> merchants = Population.merchants(cfg.seed(), cfg.merchants());
    List<UserProfile> users = Population.users(cfg, merchants);
    Simulation sim = new Simulation(cfg, merchants, users);
    sim.run();

    // files hold the events of their UTC day in arrival order (stable sorts: ties keep generation order)
    TreeMap<LocalDate, List<Payment>> paymentsByDay = new TreeMap<>();
    TreeMap<LocalDate, List<Login>> loginsByDay = new TreeMap<>();
    for (int d = 0; d < cfg.days(); d++) {
      paymentsByDay.put(cfg.start().plusDays(d), new ArrayList<>());
      loginsByDay.put(cfg.start().plusDays(d), new ArrayList<>());
    }
    sim.payments.forEach(p -> paymentsByDay.get(p.day()).add(p));
    sim.logins.forEach(l -> loginsByDay.get(l.day()).add(l));
    paymentsByDay.values().forEach(l -> l.sort(
        Comparator.comparing(Payment::arrivalTime).thenComparing(Payment::eventTime)));
    loginsByDay.values().forEach(l -> l.sort(
        Comparator.comparing(Login::arrivalTime).thenComparing(Login::eventTime)));

    SortedMap<String, String> files = new TreeMap<>();
    List<Payment> payments = new ArrayList<>();
    List<Login> logins = new ArrayList<>();
    List<BadRecord> bad = new ArrayList<>();

    Rng badPayments = Rng.of(cfg.seed(), "bad", "payments");
    int badPaymentCount = 0;
    for (Map.Entry<LocalDate, List<Payment>> day : paymentsByDay.entrySet()) {
      String file = "payments/" + day.getKey() + ".jsonl";
      StringBuilder content = new StringBuilder();
      int line = 0;
      for (Payment p : day.getValue()) {
        line++;
        String text;
        if (badPayments.chance(cfg.badRecordRate())) {
          BadKind kind = PAYMENT_BAD_KINDS[badPaymentCount++ % PAYMENT_BAD_KINDS.length];
          text = corruptPayment(badPayments, p, kind);
          bad.add(new BadRecord("payments", file, line, kind, text));
        } else {
          text = p.toJson();
          payments.add(p);
        }
        content.append(text).append('\n');
      }
      files.put(file, content.toString());
    }

    Rng badLogins = Rng.of(cfg.seed(), "bad", "logins");
    int badLoginCount = 0;
    for (Map.Entry<LocalDate, List<Login>> day : loginsByDay.entrySet()) {
      String file = "logins/" + day.getKey() + ".csv";
      StringBuilder content = new StringBuilder(Formats.LOGIN_HEADER).append('\n');
      int line = 1;
      for (Login l : day.getValue()) {
        line++;
        String text;
        if (badLogins.chance(cfg.badRecordRate())) {
          BadKind kind = LOGIN_BAD_KINDS[badLoginCount++ % LOGIN_BAD_KINDS.length];
          text = corruptLogin(badLogins, l, kind);
          bad.add(new BadRecord("logins", file, line, kind, text));
        } else {
          text = l.toCsv();
          logins.add(l);
        }
        content.append(text).append('\n');
      }
      files.put(file, content.toString());
    }

    List<SpineRow> spine = spine(cfg, payments);
    StringBuilder spineCsv = new StringBuilder(Formats.SPINE_HEADER).append('\n');
    spine.forEach(s -> spineCsv.append(s.toCsv()).append('\n'));
    files.put("spine.csv", spineCsv.toString());

    GeneratedData partial = new GeneratedData(cfg, merchants, users, List.copyOf(payments),
        List.copyOf(logins), List.copyOf(bad), spine, Collections.unmodifiableSortedMap(files));
    files.put("manifest.json", manifest(partial));
    return partial;
  }

  /**
   * About {@code spineRows} payments to score: every fraud payment (at most half the rows) and a
   * uniform sample of the others (negatives are down-sampled, as for training), by event time.
   */
  private static List<SpineRow> spine(PaymentsConfig cfg, List<Payment> payments) {
    List<Payment> positives = new ArrayList<>();
    List<Payment> negatives = new ArrayList<>();
    for (Payment p : payments) {
      (p.isFraud() ? positives : negatives).add(p);
    }
    Rng r = Rng.of(cfg.seed(), "spine");
    int rows = Math.min(cfg.spineRows(), payments.size());
    List<Payment> chosen = new ArrayList<>(sample(r, positives, Math.min(positives.size(), rows / 2)));
    chosen.addAll(sample(r, negatives, Math.min(negatives.size(), rows - chosen.size())));
    List<SpineRow> out = new ArrayList<>();
    for (Payment p : chosen) {
      out.add(new SpineRow(p.userId(), p.merchantId(), p.eventTime(), p.isFraud()));
    }
    out.sort(Comparator.comparing(SpineRow::eventTime)
        .thenComparing(SpineRow::userId)
        .thenComparing(SpineRow::merchantId)
        .thenComparing(SpineRow::isFraud));
    return List.copyOf(out);
  }

  /** {@code n} distinct elements (partial Fisher–Yates), in the order drawn. */
  private static <T> List<T> sample(Rng r, List<T> from, int n) {
    List<T> copy = new ArrayList<>(from);
    for (int i = 0; i < n; i++) {
      Collections.swap(copy, i, i + r.nextInt(copy.size() - i));
    }
    return copy.subList(0, n);
  }

  private static String corruptPayment(Rng r, Payment p, BadKind kind) {
    String eventTime = Formats.jsonString(Formats.isoMicros(p.eventTime()));
    String userId = Formats.jsonString(p.userId());
    String amount = p.amount() == null ? "null" : Formats.decimal(Formats.cents(p.amount()), '.');
    switch (kind) {
      case TRUNCATED_JSON -> {
        String full = p.toJson();
        int from = full.length() / 3;
        return full.substring(0, from + r.nextInt(full.length() - 1 - from)); // never the closing brace
      }
      case NON_NUMERIC_AMOUNT -> {
        long cents = p.amount() == null ? 1250 : Formats.cents(p.amount());
        amount = r.chance(0.7) ? Formats.jsonString(Formats.decimal(cents, ',')) : "\"n/a\"";
      }
      case MISSING_EVENT_TIME -> eventTime = r.chance(0.5) ? null : "null";
      case UNPARSEABLE_TIMESTAMP -> eventTime = Formats.jsonString(localeTimestamp(r, p.eventTime()));
      case NULL_USER_ID -> userId = "null";
      default -> throw new IllegalArgumentException("not a payments defect: " + kind);
    }
    return Formats.paymentJson(p, eventTime, userId, amount);
  }

  private static String corruptLogin(Rng r, Login l, BadKind kind) {
    String millis = Long.toString(l.eventTime().toEpochMilli());
    switch (kind) {
      case WRONG_COLUMN_COUNT -> {
        if (r.chance(0.5)) {
          return millis + "," + l.userId() + ",Pixel 8,Android 14," + l.ipCountry() + "," + l.success();
        }
        return millis + "," + l.userId() + "," + l.deviceId() + "," + l.ipCountry();
      }
      case UNPARSEABLE_TIMESTAMP -> {
        if (r.chance(0.5)) {
          return Formats.loginCsv(l, l.eventTime().toString());
        }
        long ms = l.eventTime().toEpochMilli();
        return Formats.loginCsv(l, (ms / 1000) + "." + Formats.pad(new StringBuilder(), ms % 1000, 3));
      }
      case MISSING_EVENT_TIME -> {
        return Formats.loginCsv(l, "");
      }
      default -> throw new IllegalArgumentException("not a logins defect: " + kind);
    }
  }

  /** {@code 05/01/2026 13:04:05} or {@code Mon Jan 05 13:04:05 UTC 2026}: not ISO-8601. */
  private static String localeTimestamp(Rng r, Instant t) {
    LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
    StringBuilder b = new StringBuilder();
    if (r.chance(0.5)) {
      Formats.pad(b, d.getDayOfMonth(), 2).append('/');
      Formats.pad(b, d.getMonthValue(), 2).append('/');
      Formats.pad(b, d.getYear(), 4).append(' ');
    } else {
      b.append(DAY_NAMES[d.getDayOfWeek().getValue() - 1]).append(' ');
      b.append(MONTH_NAMES[d.getMonthValue() - 1]).append(' ');
      Formats.pad(b, d.getDayOfMonth(), 2).append(' ');
    }
    Formats.pad(b, d.getHour(), 2).append(':');
    Formats.pad(b, d.getMinute(), 2).append(':');
    Formats.pad(b, d.getSecond(), 2);
    if (b.charAt(2) != '/') {
      b.append(" UTC ");
      Formats.pad(b, d.getYear(), 4);
    }
    return b.toString();
  }

  // ---------------------------------------------------------------- manifest

  /** Counts that tests downstream can rely on (e.g. how many dead letters each source must yield). */
  private static String manifest(GeneratedData g) {
    PaymentsConfig c = g.config();
    long fraud = g.payments().stream().filter(Payment::isFraud).count();
    long nullAmount = g.payments().stream().filter(p -> p.amount() == null).count();
    long nullCategory = g.payments().stream().filter(p -> p.merchantCategory() == null).count();
    long hot = g.payments().stream().filter(p -> p.merchantId().equals(g.hotMerchant().id())).count();
    long onHour = g.payments().stream().filter(p -> p.eventTime().getEpochSecond() % 3600 == 0
        && p.eventTime().getNano() == 0).count();
    long failed = g.logins().stream().filter(l -> !l.success()).count();
    long spinePositives = g.spine().stream().filter(SpineRow::isFraud).count();

    Map<String, Object> config = new LinkedHashMap<>();
    config.put("seed", c.seed());
    config.put("start", c.start().toString());
    config.put("days", c.days());
    config.put("users", c.users());
    config.put("merchants", c.merchants());
    config.put("payments_per_user_per_day", Formats.plain(c.paymentsPerUserPerDay()));
    config.put("logins_per_user_per_day", Formats.plain(c.loginsPerUserPerDay()));
    config.put("bad_record_rate", Formats.plain(c.badRecordRate()));
    config.put("late_rate", Formats.plain(c.lateRate()));
    config.put("hot_merchant_share", Formats.plain(c.hotMerchantShare()));
    config.put("fraud_user_share", Formats.plain(c.fraudUserShare()));
    config.put("spine_rows", c.spineRows());

    Map<String, Object> payments = new LinkedHashMap<>();
    payments.put("valid", g.payments().size());
    payments.put("bad_lines", g.badRecords("payments").size());
    payments.put("bad_lines_by_kind", byKind(g.badRecords("payments")));
    payments.put("fraud", fraud);
    payments.put("null_amount", nullAmount);
    payments.put("null_merchant_category", nullCategory);
    payments.put("hot_merchant", hot);
    payments.put("on_the_hour", onHour);
    payments.put("arrived_over_1m_late", countLate(g.payments().stream().map(p -> new Instant[] {p.eventTime(), p.arrivalTime()}).toList(), 60));
    payments.put("arrived_over_1h_late", countLate(g.payments().stream().map(p -> new Instant[] {p.eventTime(), p.arrivalTime()}).toList(), 3600));

    Map<String, Object> logins = new LinkedHashMap<>();
    logins.put("valid", g.logins().size());
    logins.put("bad_lines", g.badRecords("logins").size());
    logins.put("bad_lines_by_kind", byKind(g.badRecords("logins")));
    logins.put("failed", failed);
    logins.put("arrived_over_1m_late", countLate(g.logins().stream().map(l -> new Instant[] {l.eventTime(), l.arrivalTime()}).toList(), 60));
    logins.put("arrived_over_1h_late", countLate(g.logins().stream().map(l -> new Instant[] {l.eventTime(), l.arrivalTime()}).toList(), 3600));

    Map<String, Object> spine = new LinkedHashMap<>();
    spine.put("rows", g.spine().size());
    spine.put("fraud", spinePositives);

    Map<String, Object> root = new LinkedHashMap<>();
    root.put("generator", PaymentsGenerator.class.getName());
    root.put("config", config);
    root.put("hot_merchant_id", g.hotMerchant().id());
    root.put("users", g.users().size());
    root.put("merchants", g.merchants().size());
    root.put("fraud_users", g.users().stream().filter(u -> u.fraud() != null).count());
    root.put("payments", payments);
    root.put("logins", logins);
    root.put("spine", spine);
    StringBuilder b = new StringBuilder();
    json(b, root, "");
    return b.append('\n').toString();
  }

  private static long countLate(List<Instant[]> times, long seconds) {
    return times.stream()
        .filter(t -> t[1].getEpochSecond() - t[0].getEpochSecond() > seconds
            || (t[1].getEpochSecond() - t[0].getEpochSecond() == seconds && t[1].getNano() > t[0].getNano()))
        .count();
  }

  private static Map<String, Object> byKind(List<BadRecord> records) {
    Map<BadKind, Long> counts = new EnumMap<>(BadKind.class);
    for (BadRecord b : records) {
      counts.merge(b.kind(), 1L, Long::sum);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    counts.forEach((k, v) -> out.put(k.code(), v));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void json(StringBuilder b, Object v, String indent) {
    if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        b.append("{}");
        return;
      }
      b.append("{\n");
      int i = 0;
      for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
        b.append(indent).append("  ").append(Formats.jsonString(e.getKey())).append(": ");
        json(b, e.getValue(), indent + "  ");
        b.append(++i < m.size() ? ",\n" : "\n");
      }
      b.append(indent).append('}');
    } else if (v instanceof String s && !isNumber(s)) {
      b.append(Formats.jsonString(s));
    } else {
      b.append(v);
    }
  }

  private static boolean isNumber(String s) {
    return s.matches("-?[0-9]+(\\.[0-9]+)?");
  }

  // ---------------------------------------------------------------- command line

  private static final String USAGE = String.join("\n",
      "usage: PaymentsGenerator --out DIR [options]",
      "  --seed N                          random seed (default " + PaymentsConfig.DEFAULT_SEED + ")",
      "  --start YYYY-MM-DD                first UTC day (default 2026-01-01)",
      "  --days N                          number of days (default 14)",
      "  --users N                         number of users (default 200)",
      "  --merchants N                     number of merchants (default 40)",
      "  --payments-per-user-per-day X     mean regular payments per user and day (default 6.5)",
      "  --logins-per-user-per-day X       mean login sessions per user and day (default 1)",
      "  --bad-record-rate X               share of malformed lines per source (default 0.002)",
      "  --late-rate X                     share of events arriving 2 min to 3 h late (default 0.02)",
      "  --hot-merchant-share X            share of payments at the hot merchant m001 (default 0.2)",
      "  --fraud-user-share X              share of users hit by a fraud incident (default 0.08)",
      "  --spine-rows N                    rows of spine.csv (default 2000)",
      "Writes DIR/payments/YYYY-MM-DD.jsonl, DIR/logins/YYYY-MM-DD.csv, DIR/spine.csv, DIR/manifest.json.");

  /** A parsed command line: the config and the output folder. */
  public record Arguments(PaymentsConfig config, Path out) {}

  /** Parses {@code --name value} or {@code --name=value} options (see {@code --help}). */
  public static Arguments parseArgs(String... args) {
    PaymentsConfig.Builder b = PaymentsConfig.builder();
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      String value;
      int eq = name.indexOf('=');
      if (eq > 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (name.equals("--help") || name.equals("-h")) {
        throw new IllegalArgumentException(USAGE);
      } else {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value for " + name + "\n" + USAGE);
        }
        value = args[++i];
      }
      try {
        switch (name) {
          case "--seed" -> b.seed(Long.parseLong(value));
          case "--start" -> b.start(LocalDate.parse(value));
          case "--days" -> b.days(Integer.parseInt(value));
          case "--users" -> b.users(Integer.parseInt(value));
          case "--merchants" -> b.merchants(Integer.parseInt(value));
          case "--payments-per-user-per-day", "--events-per-user-per-day" ->
              b.paymentsPerUserPerDay(Double.parseDouble(value));
          case "--logins-per-user-per-day" -> b.loginsPerUserPerDay(Double.parseDouble(value));
          case "--bad-record-rate" -> b.badRecordRate(Double.parseDouble(value));
          case "--late-rate" -> b.lateRate(Double.parseDouble(value));
          case "--hot-merchant-share" -> b.hotMerchantShare(Double.parseDouble(value));
          case "--fraud-user-share" -> b.fraudUserShare(Double.parseDouble(value));
          case "--spine-rows" -> b.spineRows(Integer.parseInt(value));
          case "--out" -> out = Path.of(value);
          default -> throw new IllegalArgumentException("unknown option " + name + "\n" + USAGE);
        }
      } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException("bad value for " + name + ": " + value);
      }
    }
    if (out == null) {
      throw new IllegalArgumentException("--out is required\n" + USAGE);
    }
    return new Arguments(b.build(), out);
  }

  /** Generates and writes the files; prints a summary. Exit code 2 on bad arguments. */
  public static void main(String[] args) throws IOException {
    Arguments a;
    try {
      a = parseArgs(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    run(a, System.out);
  }

  /** What {@link #main} does after parsing, without exiting: for tests and embedding. */
  public static GeneratedData run(Arguments a, PrintStream log) throws IOException {
    PaymentsGenerator gen = new PaymentsGenerator(a.config());
    GeneratedData g = gen.generate();
    gen.writeAll(a.out());
    log.println("wrote " + g.files().size() + " files to " + a.out());
    log.printf("payments: %d valid + %d malformed lines; logins: %d valid + %d malformed lines; spine: %d rows%n",
        g.payments().size(), g.badRecords("payments").size(), g.logins().size(),
        g.badRecords("logins").size(), g.spine().size());
    return g;
  }
}
