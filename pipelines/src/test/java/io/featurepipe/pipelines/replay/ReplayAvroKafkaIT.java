package io.featurepipe.pipelines.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.ingest.kafka.EmbeddedKafka;
import io.featurepipe.pipelines.replay.ReplayResult.Verdict;
import io.featurepipe.sinks.deadletter.WriteDeadLetters;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.PayloadDecoder;
import io.featurepipe.transforms.decode.SourceSchemas;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.DeadLetter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dead letters of an Avro Kafka source go back to its topic (an in-JVM broker), in the wire format
 * {@code ReadKafka} reads: a bare Avro datum of the schema derived from the definition. A message
 * the old definition could not read as a datum at all ({@code base64:} payload; its producer
 * already added the field the definition now has) goes back byte for byte; a datum dead-lettered as
 * Avro's JSON rendering (microsecond timestamps as numbers) and a record a later step refused are
 * encoded again; a payload that is no datum of the schema still fails.
 */
class ReplayAvroKafkaIT {
  static String defs(boolean withPage) {
    return """
        kind: source
        name: clicks
        format: avro
        timestamp: ts
        timestamp_format: iso8601
        fields:
          - {name: ts, type: timestamp, required: true}
          - {name: user, type: string, required: true}
          - {name: n, type: int}
        %s
        bounded: {path: "clicks/{date}*.avro"}
        unbounded: {kafka: {bootstrap: "localhost:1", topic: clicks}}
        """.formatted(withPage ? "  - {name: page, type: string}" : "");
  }

  @Test
  void avroMessagesGoBackAsTheDatumsReadKafkaReads(@TempDir Path dir) throws Exception {
    FeatureRepository now = RepositoryLoader.load(Map.of("d.yaml", defs(true)));
    SourceDef clicks = now.source("clicks");
    GenericRecord withPage = new GenericData.Record(SourceSchemas.of(clicks));
    withPage.put("ts", 1_767_830_400_000_001L);
    withPage.put("user", "u1");
    withPage.put("n", 1L);
    withPage.put("page", "/a");
    byte[] original = PayloadDecoder.encodeAvro(withPage);
    // the old definition's decoder left the page's bytes over: not a datum, kept as base64
    PayloadDecoder old = PayloadDecoder.of(RepositoryLoader.load(Map.of("d.yaml", defs(false))).source("clicks"), null);
    String oldPayload = old.payloadText(original);
    assertTrue(oldPayload.startsWith("base64:"), oldPayload);

    Path letters = dir.resolve("stream-dead-letters/run-1/dead-letters.jsonl");
    Files.createDirectories(letters.getParent());
    Files.write(letters, List.of(
        json("ReadKafka/clicks", "not an Avro datum of the schema: bytes left over", oldPayload, "kafka:clicks/0/1"),
        json("ReadKafka/clicks", "field 'user' was refused",
            "{\"ts\": 1767830400000002, \"user\": \"u2\", \"n\": 2, \"page\": null}", "kafka:clicks/0/2"),
        json("CheckRecords/clicks", "n above 100",
            "{\"ts\":\"2026-01-08T00:00:00.000003Z\",\"user\":\"u3\",\"n\":300,\"page\":\"/c\"}", "kafka:clicks/0/3"),
        json("ReadKafka/clicks", "not an Avro datum of the schema: bytes left over",
            "base64:" + Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}), "kafka:clicks/0/4")));

    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopic("clicks", 1);
      ReplayResult result = Replay.of(now, List.of(letters.toString())).withKafkaBootstrap(kafka.bootstrapServers()).run();
      assertEquals(3, result.count(Verdict.REPLAYED));
      assertEquals(1, result.count(Verdict.FAILED));
      assertEquals(Map.of(), result.rerunDates(), "the running stream counts what goes to Kafka");

      List<byte[]> values = values(kafka, 3);
      assertArrayEquals(original, values.get(0), "the unread message goes back byte for byte");
      PayloadDecoder reader = PayloadDecoder.of(clicks, null); // as ReadKafka reads the topic
      assertEquals("[1767830400000001000, u1, 1, /a]", decoded(reader, values.get(0)));
      assertEquals("[1767830400000002000, u2, 2, null]", decoded(reader, values.get(1)));
      assertEquals("[1767830400000003000, u3, 300, /c]", decoded(reader, values.get(2)));
    }
  }

  static String decoded(PayloadDecoder reader, byte[] value) throws BadRecordException {
    return Arrays.deepToString(reader.decode(value, "").values());
  }

  static String json(String step, String reason, String payload, String origin) {
    return WriteDeadLetters.toJson(new DeadLetter("clicks", step, reason, payload, origin));
  }

  /** The topic's values in offset order, once {@code n} are there. */
  static List<byte[]> values(EmbeddedKafka kafka, int n) {
    List<byte[]> got = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = List.of(new TopicPartition("clicks", 0));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      for (int polls = 0; polls < 60 && got.size() < n; polls++) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          got.add(r.value());
        }
      }
    }
    assertEquals(n, got.size());
    return got;
  }
}
