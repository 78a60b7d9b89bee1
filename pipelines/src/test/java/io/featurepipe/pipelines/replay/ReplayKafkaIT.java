package io.featurepipe.pipelines.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.ingest.kafka.EmbeddedKafka;
import io.featurepipe.pipelines.replay.ReplayResult.Verdict;
import io.featurepipe.sinks.deadletter.WriteDeadLetters;
import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dead letters of a Kafka source go back to its topic (an in-JVM broker): a fixed payload at once;
 * a record the checks refused only after the definitions widened the range (replaying the first
 * replay's new dead letters); a still-broken one and one only some groups rejected never.
 */
class ReplayKafkaIT {
  static final Path DEFS = Path.of("../feature-defs/payments");
  static final String VALID =
      "{\"txn_id\":\"%s\",\"event_time\":\"2026-01-08T10:00:00.123456Z\",\"user_id\":\"u0091\","
          + "\"card_id\":\"US152927\",\"merchant_id\":\"m002\",\"merchant_category\":\"digital\","
          + "\"amount\":%s,\"currency\":\"EUR\",\"country\":\"US\",\"channel\":\"web\",\"is_fraud\":false}";

  @Test
  void fixedRecordsGoBackToTheTopicAndWideningARangeLetsRefusedOnesThrough(@TempDir Path dir) throws Exception {
    FeatureRepository repo = RepositoryLoader.load(DEFS);
    FeatureRepository widened = RepositoryLoader.load(widen(dir.resolve("widened")));
    Path letters = dir.resolve("stream-dead-letters/run-1/dead-letters.jsonl");
    Files.createDirectories(letters.getParent());
    Files.write(letters, List.of(
        json("ReadKafka/payments", "not valid JSON", VALID.formatted("t-fixed", "12.5"), "kafka:payments/0/5"),
        json("CheckRecords/payments", "amount above 100000", VALID.formatted("t-large", "250000.0"), "kafka:payments/1/7"),
        json("ReadKafka/payments", "not valid JSON", "{\"txn_id\":\"t-broken\",", "kafka:payments/2/9"),
        json("PrepareGroups/user_spend", "an expression failed", VALID.formatted("t-partial", "3.0"), "kafka:payments/0/11")));

    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopic("payments", 2);
      ReplayResult first = Replay.of(repo, List.of(letters.toString()))
          .withKafkaBootstrap(kafka.bootstrapServers())
          .run();
      assertEquals(1, first.count(Verdict.REPLAYED));
      assertEquals(2, first.count(Verdict.FAILED));
      assertEquals(1, first.count(Verdict.NOT_REPLAYED));
      assertTrue(reason(first, "kafka:payments/1/7").contains("amount"), reason(first, "kafka:payments/1/7"));
      assertTrue(reason(first, "kafka:payments/0/11").startsWith(
          "not replayed: only user_spend rejected it and merchant_risk, user_merchant_affinity used it"),
          reason(first, "kafka:payments/0/11"));
      assertEquals(List.of("t-fixed"), txnIds(kafka, repo, 1));

      Path failed = dir.resolve("stream-dead-letters/replay-" + first.replayId() + "/dead-letters.jsonl");
      assertEquals(3, Files.readAllLines(failed).size());
      ReplayResult second = Replay.of(widened, List.of(failed.toString()))
          .withKafkaBootstrap(kafka.bootstrapServers())
          .run();
      assertEquals(1, second.count(Verdict.REPLAYED), "the widened range lets the large payment through");
      assertEquals(1, second.count(Verdict.FAILED));
      assertEquals(1, second.count(Verdict.NOT_REPLAYED));
      assertEquals(List.of("t-fixed", "t-large"), txnIds(kafka, repo, 2));
    }
  }

  static String reason(ReplayResult r, String origin) {
    return r.outcomes().stream().filter(o -> o.original().origin().equals(origin)).findFirst().orElseThrow().newReason();
  }

  static String json(String step, String reason, String payload, String origin) {
    return WriteDeadLetters.toJson(new DeadLetter("payments", step, reason, payload, origin));
  }

  /** The payments definitions with every amount range ten times wider (expectations only). */
  static Path widen(Path to) throws Exception {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(DEFS)) {
      for (Path f : s.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        Files.writeString(to.resolve(f.getFileName()),
            Files.readString(f).replace("max: 100000", "max: 1000000").replace("max: 50000}", "max: 500000}"));
      }
    }
    return to;
  }

  /** The txn ids of the topic's messages (decoded as the stream decodes them), once {@code n} are there. */
  static List<String> txnIds(EmbeddedKafka kafka, FeatureRepository repo, int n) throws Exception {
    RecordDecoder decoder = new RecordDecoder(repo.source("payments"));
    int txn = repo.source("payments").indexOf("txn_id");
    TreeSet<String> ids = new TreeSet<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = List.of(new TopicPartition("payments", 0), new TopicPartition("payments", 1));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
      for (int polls = 0; polls < 60 && got.size() < n; polls++) {
        consumer.poll(Duration.ofMillis(500)).forEach(got::add);
      }
      for (ConsumerRecord<byte[], byte[]> r : got) {
        SourceRecord rec = decoder.fromJson(new String(r.value(), StandardCharsets.UTF_8), "");
        ids.add((String) rec.value(txn));
      }
      assertEquals(n, got.size());
    }
    return new ArrayList<>(ids);
  }
}
