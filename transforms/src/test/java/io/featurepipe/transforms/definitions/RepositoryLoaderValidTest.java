package io.featurepipe.transforms.definitions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.model.Aggregation;
import io.featurepipe.transforms.model.AggregationKind;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.CustomLogic;
import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.IoSpec;
import io.featurepipe.transforms.model.Location;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.model.SourceFormat;
import io.featurepipe.transforms.model.ValueType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Loads the valid repository in {@code src/test/resources/definitions/valid} (several files,
 * multi-document, every kind, every aggregation, a composite key, an Avro schema, derive and custom
 * logic) and checks every value of the model.
 */
class RepositoryLoaderValidTest {

  private static final ColumnType STRING = ColumnType.STRING;
  private static final ColumnType INT = ColumnType.INT64;
  private static final ColumnType DOUBLE = ColumnType.DOUBLE;
  private static final ColumnType BOOL = ColumnType.BOOL;
  private static final ColumnType TIMESTAMP = ColumnType.TIMESTAMP;

  private static FeatureRepository repo;

  @BeforeAll
  static void load() throws Exception {
    repo =
        RepositoryLoader.load(
            Path.of(RepositoryLoaderValidTest.class.getResource("/definitions/valid").toURI()));
  }

  private static Location at(String file, int line, int column) {
    return new Location(file, line, column);
  }

  private static Field field(String name, ColumnType type, boolean required, Location at) {
    return new Field(name, type, required, at);
  }

  @Test
  void definitionsAreInPathAndDocumentOrder() {
    assertEquals(List.of("orders", "payments", "clicks"), List.copyOf(repo.sources().keySet()));
    assertEquals(List.of("user", "user_merchant", "order"), List.copyOf(repo.entities().keySet()));
    assertEquals(
        List.of("user_merchant_orders", "click_pages", "order_totals", "user_spend"),
        List.copyOf(repo.groups().keySet()));
  }

  @Test
  void jsonlSourceWithKafka() {
    String f = "sources.yaml";
    SourceDef expected =
        new SourceDef(
            "payments",
            "Card payments, one event per authorization.",
            SourceFormat.JSONL,
            "event_time",
            "iso8601",
            List.of(
                field(
                    "event_time",
                    TIMESTAMP,
                    true,
                    at(f, 9, 12)), // the timestamp is always required
                field("user_id", STRING, true, at(f, 10, 12)),
                field("merchant_id", STRING, false, at(f, 11, 12)),
                field("amount", DOUBLE, false, at(f, 12, 12)),
                field("items", INT, false, at(f, 13, 12)),
                field("card_present", BOOL, false, at(f, 14, 12))),
            null,
            new IoSpec("path", Map.of("path", "payments/{date}.jsonl"), at(f, 15, 17)),
            new IoSpec(
                "kafka",
                Map.of(
                    "bootstrap", "localhost:9092", "topic", "payments", "group_id", "featurepipe"),
                at(f, 16, 20)),
            Duration.ofMinutes(1),
            Duration.ofHours(1),
            true,
            ',',
            at(f, 3, 7));
    assertEquals(expected, repo.source("payments"));
  }

  @Test
  void csvSourceWithPubsubAndPattern() {
    String f = "sources.yaml";
    SourceDef expected =
        new SourceDef(
            "clicks",
            null,
            SourceFormat.CSV,
            "ts",
            "yyyy-MM-dd HH:mm:ss.SSS",
            List.of(
                field("ts", TIMESTAMP, true, at(f, 26, 11)),
                field("user_id", STRING, false, at(f, 28, 11)),
                field("page", STRING, false, at(f, 30, 11))),
            null,
            new IoSpec("path", Map.of("path", "clicks/*.csv"), at(f, 33, 17)),
            new IoSpec(
                "pubsub",
                Map.of(
                    "subscription", "projects/p/subscriptions/clicks", "timestamp_attribute", "ts"),
                at(f, 34, 21)),
            Duration.ZERO,
            Duration.ZERO,
            false,
            ';',
            at(f, 21, 7));
    assertEquals(expected, repo.source("clicks"));
  }

  @Test
  void avroSchemaSourceWithJdbcAndFolder() {
    String f = "orders.yml";
    Location schema = at(f, 6, 14);
    SourceDef expected =
        new SourceDef(
            "orders",
            null,
            SourceFormat.AVRO,
            "created_at",
            "epoch_millis",
            List.of(
                field("order_id", INT, true, schema),
                field("user_id", STRING, true, schema),
                field("merchant_id", STRING, false, schema),
                field("total", DOUBLE, true, schema),
                field("quantity", INT, true, schema),
                field("express", BOOL, false, schema),
                field("created_at", TIMESTAMP, true, schema)),
            "schemas/orders.avsc",
            new IoSpec(
                "jdbc",
                Map.of(
                    "url", "jdbc:postgresql://db/shop",
                    "query", "SELECT * FROM orders",
                    "user", "app",
                    "password_env", "PGPASSWORD",
                    "driver", "org.postgresql.Driver",
                    "fetch_size", "1000"),
                at(f, 9, 5)),
            new IoSpec(
                "folder", Map.of("path", "incoming/orders", "poll_interval", "30s"), at(f, 15, 21)),
            Duration.ZERO,
            Duration.ZERO,
            true,
            ',',
            at(f, 2, 7));
    assertEquals(expected, repo.source("orders"));
  }

  @Test
  void entities() {
    String f = "entities.yaml";
    assertEquals(
        new EntityDef(
            "user",
            "A card holder.",
            List.of(field("user_id", STRING, true, at(f, 4, 15))),
            at(f, 2, 7)),
        repo.entity("user"));
    assertEquals(
        new EntityDef(
            "user_merchant",
            null,
            List.of(
                field("user_id", STRING, true, at(f, 9, 12)),
                field("merchant_id", STRING, true, at(f, 10, 12))),
            at(f, 7, 7)),
        repo.entity("user_merchant"));
    assertEquals(
        new EntityDef(
            "order", null, List.of(field("order_id", INT, true, at(f, 14, 15))), at(f, 13, 7)),
        repo.entity("order"));
  }

  @Test
  void groupWithEveryAggregationDeriveAndCustomLogic() {
    String f = "groups/user_spend.yaml";
    FeatureGroupDef g = repo.group("user_spend");
    assertEquals("user_spend", g.name());
    assertEquals("How much and how often a user pays.", g.description());
    assertEquals("user", g.entity());
    assertEquals("payments", g.source());
    assertEquals(Map.of("user_id", "user_id"), g.keys());
    assertEquals("amount != null", g.filter());
    assertEquals(List.of("is_large", "amount_cents"), List.copyOf(g.derive().keySet()));
    assertEquals("amount > 1000.0", g.derive().get("is_large"));
    assertEquals("int(amount * 100.0)", g.derive().get("amount_cents"));
    Map<String, ColumnType> derivedTypes = new LinkedHashMap<>();
    derivedTypes.put("is_large", BOOL);
    derivedTypes.put("amount_cents", INT);
    derivedTypes.put("hour", INT);
    assertEquals(derivedTypes, g.derivedTypes());
    assertEquals(List.copyOf(derivedTypes.keySet()), List.copyOf(g.derivedTypes().keySet()));
    assertEquals(
        new CustomLogic(HourOfDayFunction.class.getName(), Map.of("hour", INT), at(f, 11, 17)),
        g.custom());
    assertEquals(Duration.ofHours(1), g.hop());
    assertEquals(Duration.ofDays(30), g.ttl());
    assertEquals(Duration.ofMinutes(2), g.availabilityDelay());
    assertTrue(g.online());
    assertEquals(false, g.offline());
    assertEquals(at(f, 2, 7), g.location());
    assertEquals(
        Map.of(
            "amount", Map.of("min", 0L, "max", 100000L, "presence", 0.99),
            "merchant_id", Map.of("max_distinct_drift", 0.1),
            "txn_count_1d", Map.of("min", 0L)),
        g.expect());
    assertEquals(
        List.of("amount", "merchant_id", "txn_count_1d"), List.copyOf(g.expect().keySet()));

    Duration h1 = Duration.ofHours(1);
    Duration d1 = Duration.ofDays(1);
    Duration d7 = Duration.ofDays(7);
    List<FeatureDef> expected =
        List.of(
            feature(
                "txn_count_1d",
                null,
                Aggregation.of(AggregationKind.COUNT),
                null,
                d1,
                null,
                ValueType.scalar(INT),
                at(f, 16, 12)),
            feature(
                "spend_sum_7d",
                null,
                Aggregation.of(AggregationKind.SUM),
                "amount",
                d7,
                DOUBLE,
                ValueType.scalar(DOUBLE),
                at(f, 17, 12)),
            feature(
                "spend_mean_1d",
                null,
                Aggregation.of(AggregationKind.MEAN),
                "amount",
                d1,
                DOUBLE,
                ValueType.scalar(DOUBLE),
                at(f, 18, 12)),
            feature(
                "spend_min_1d",
                null,
                Aggregation.of(AggregationKind.MIN),
                "amount",
                d1,
                DOUBLE,
                ValueType.scalar(DOUBLE),
                at(f, 19, 12)),
            feature(
                "spend_max_1h",
                null,
                Aggregation.of(AggregationKind.MAX),
                "amount",
                h1,
                DOUBLE,
                ValueType.scalar(DOUBLE),
                at(f, 20, 12)),
            feature(
                "first_merchant_1d",
                null,
                Aggregation.of(AggregationKind.FIRST),
                "merchant_id",
                d1,
                STRING,
                ValueType.scalar(STRING),
                at(f, 21, 12)),
            feature(
                "last_amount",
                "The latest payment.",
                Aggregation.of(AggregationKind.LAST),
                "amount",
                null,
                DOUBLE,
                ValueType.scalar(DOUBLE),
                at(f, 22, 12)),
            feature(
                "spend_stddev_7d",
                null,
                Aggregation.of(AggregationKind.STDDEV),
                "amount",
                d7,
                DOUBLE,
                ValueType.scalar(DOUBLE),
                at(f, 23, 12)),
            feature(
                "cents_variance_7d",
                null,
                Aggregation.of(AggregationKind.VARIANCE),
                "amount_cents",
                d7,
                INT,
                ValueType.scalar(DOUBLE),
                at(f, 24, 12)),
            feature(
                "large_rate_7d",
                null,
                Aggregation.of(AggregationKind.MEAN),
                "is_large",
                d7,
                BOOL,
                ValueType.scalar(DOUBLE),
                at(f, 25, 12)),
            feature(
                "merchants_7d",
                null,
                Aggregation.of(AggregationKind.APPROX_COUNT_DISTINCT),
                "merchant_id",
                d7,
                STRING,
                ValueType.scalar(INT),
                at(f, 26, 12)),
            feature(
                "p95_amount_7d",
                null,
                Aggregation.quantile(0.95),
                "amount",
                d7,
                DOUBLE,
                ValueType.scalar(DOUBLE),
                at(f, 27, 12)),
            feature(
                "p50_amount_7d",
                null,
                Aggregation.quantile(0.5),
                "amount",
                d7,
                DOUBLE,
                ValueType.scalar(DOUBLE),
                at(f, 28, 12)),
            feature(
                "top_merchants_7d",
                null,
                Aggregation.topK(3),
                "merchant_id",
                d7,
                STRING,
                ValueType.listOf(STRING),
                at(f, 29, 12)),
            feature(
                "top_hours_7d",
                null,
                Aggregation.topK(2),
                "hour",
                d7,
                INT,
                ValueType.listOf(INT),
                at(f, 30, 12)),
            feature(
                "last_amounts_1d",
                null,
                Aggregation.lastK(5),
                "amount",
                d1,
                DOUBLE,
                ValueType.listOf(DOUBLE),
                at(f, 31, 12)),
            feature(
                "last_items_1d",
                null,
                Aggregation.lastK(4),
                "items",
                d1,
                INT,
                ValueType.listOf(INT),
                at(f, 32, 12)));
    assertEquals(expected, g.features());
    assertEquals(Duration.ofDays(30), g.windowOf(g.feature("last_amount")));
    assertEquals("approx_quantile(0.95)", g.feature("p95_amount_7d").aggregation().toString());
    assertEquals(8, g.version().length());
    assertTrue(g.version().matches("[0-9a-f]{8}"));
  }

  @Test
  void compositeKeyInEntityOrderAndDefaultTtlIsTheLongestWindow() {
    String f = "groups/more.yaml";
    FeatureGroupDef g = repo.group("user_merchant_orders");
    assertEquals(List.of("user_id", "merchant_id"), List.copyOf(g.keys().keySet()));
    assertEquals("merchant_id != null ? merchant_id : 'unknown'", g.keys().get("merchant_id"));
    assertEquals(Duration.ofDays(1), g.hop());
    assertEquals(Duration.ofDays(28), g.ttl());
    assertNull(g.filter());
    assertEquals(Map.of(), g.derive());
    assertEquals(Map.of(), g.derivedTypes());
    assertNull(g.custom());
    assertEquals(Duration.ZERO, g.availabilityDelay());
    assertTrue(g.online());
    assertTrue(g.offline());
    assertEquals(Map.of(), g.expect());
    assertEquals(
        List.of(
            feature(
                "orders_28d",
                null,
                Aggregation.of(AggregationKind.COUNT),
                null,
                Duration.ofDays(28),
                null,
                ValueType.scalar(INT),
                at(f, 10, 12)),
            feature(
                "total_sum_7d",
                null,
                Aggregation.of(AggregationKind.SUM),
                "total",
                Duration.ofDays(7),
                DOUBLE,
                ValueType.scalar(DOUBLE),
                at(f, 11, 12))),
        g.features());
    assertEquals(at(f, 2, 7), g.location());

    FeatureGroupDef clicks = repo.group("click_pages");
    assertEquals(Duration.ofMinutes(15), clicks.hop());
    assertEquals(Duration.ofDays(1), clicks.ttl());

    FeatureGroupDef orders = repo.group("order_totals");
    assertEquals(Map.of("order_id", "order_id"), orders.keys()); // an int key from an int column
    assertEquals(false, orders.online());
    assertEquals(Duration.ofHours(1), orders.ttl());
  }

  @Test
  void versionsArePinned() {
    // Pinned: a change here changes where every deployment writes. Change it only on purpose.
    assertEquals("7b84c219", repo.group("user_spend").version());
    assertEquals("d49c14af", repo.group("user_merchant_orders").version());
    assertEquals("4b6072be", repo.group("click_pages").version());
    assertEquals("81ab55b7", repo.group("order_totals").version());
  }

  @Test
  void collectionsAreUnmodifiable() {
    FeatureGroupDef g = repo.group("user_spend");
    assertThrows(UnsupportedOperationException.class, () -> repo.sources().clear());
    assertThrows(UnsupportedOperationException.class, () -> repo.groups().clear());
    assertThrows(UnsupportedOperationException.class, () -> repo.entities().clear());
    assertThrows(UnsupportedOperationException.class, () -> g.features().clear());
    assertThrows(UnsupportedOperationException.class, () -> g.keys().clear());
    assertThrows(UnsupportedOperationException.class, () -> g.derive().clear());
    assertThrows(UnsupportedOperationException.class, () -> g.derivedTypes().clear());
    assertThrows(UnsupportedOperationException.class, () -> g.expect().clear());
    assertThrows(UnsupportedOperationException.class, () -> g.expect().get("amount").clear());
    assertThrows(UnsupportedOperationException.class, () -> g.custom().columns().clear());
    assertThrows(
        UnsupportedOperationException.class, () -> repo.source("payments").fields().clear());
    assertThrows(
        UnsupportedOperationException.class,
        () -> repo.source("payments").bounded().settings().clear());
    assertThrows(UnsupportedOperationException.class, () -> repo.entity("user").keys().clear());
  }

  @Test
  void theModelIsSerializable() throws Exception {
    var bytes = new java.io.ByteArrayOutputStream();
    try (var out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(repo);
    }
    try (var in =
        new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(repo, in.readObject());
    }
  }

  @Test
  void inMemoryRepositoryLoadsTheSameAsTheFolder() throws Exception {
    Path dir = Path.of(RepositoryLoaderValidTest.class.getResource("/definitions/valid").toURI());
    Map<String, String> files = new LinkedHashMap<>();
    try (var paths = java.nio.file.Files.walk(dir)) {
      for (Path p : paths.filter(java.nio.file.Files::isRegularFile).toList()) {
        files.put(
            dir.relativize(p).toString().replace('\\', '/'), java.nio.file.Files.readString(p));
      }
    }
    assertEquals(repo, RepositoryLoader.load(files));
  }

  private static FeatureDef feature(
      String name,
      String description,
      Aggregation agg,
      String column,
      Duration window,
      ColumnType input,
      ValueType output,
      Location at) {
    return new FeatureDef(name, description, agg, column, window, input, output, at);
  }
}
