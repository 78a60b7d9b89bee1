package io.featurepipe.pipelines.stream;

import io.featurepipe.pipelines.ingest.ReadStream;
import io.featurepipe.pipelines.ingest.kafka.ReadKafka;
import io.featurepipe.transforms.model.SourceDef;
import java.io.Serializable;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a stream reads its sources' unbounded inputs: the definitions' {@code unbounded:} settings,
 * with overrides for tests, demos and replays. Immutable; every {@code withX} is optional and
 * independent of the others.
 *
 * <ul>
 *   <li>{@link #withKafkaBootstrap}: the brokers of every Kafka source (instead of the definitions');
 *   <li>{@link #withStart}: where Kafka reads start when the consumer group has no committed
 *       offset ({@code LATEST} by default; {@code EARLIEST} for replays);
 *   <li>{@link #withTopic}: the topic a Kafka source reads instead of its definition's;
 *   <li>{@link #withGroupIdPrefix}: consumer groups {@code <prefix>-<source>} (a replay into a fresh
 *       job reads the topic again under a new prefix);
 *   <li>{@link #withMaxRecords}: a source's read ends after that many messages, and
 *       {@link #withStopTime}: every Kafka read ends at the first record appended at or after that
 *       time. Either makes the read bounded: the run ends, and computes as a bounded run does (no
 *       event is too late; the watermark cell moves once, at the end);
 *   <li>{@link #withDataRoot}: the folder a watched folder's relative path is resolved against.
 * </ul>
 */
public record StreamInputs(
    String kafkaBootstrap,
    ReadKafka.Start start,
    String groupIdPrefix,
    Map<String, String> topics,
    Map<String, Long> maxRecords,
    Instant stopTime,
    String dataRoot)
    implements Serializable {

  public StreamInputs {
    topics = Map.copyOf(topics == null ? Map.of() : topics);
    maxRecords = Map.copyOf(maxRecords == null ? Map.of() : maxRecords);
    maxRecords.forEach(
        (source, n) -> {
          if (n == null || n <= 0) {
            throw new IllegalArgumentException(
                "the number of records to read from source '" + source + "' must be positive, not " + n);
          }
        });
    if (!maxRecords.isEmpty() && stopTime != null) {
      throw new IllegalArgumentException("give a number of records or a stop time, not both");
    }
  }

  /** The definitions' settings, unchanged. */
  public static StreamInputs defaults() {
    return new StreamInputs(null, null, null, Map.of(), Map.of(), null, null);
  }

  public StreamInputs withKafkaBootstrap(String servers) {
    if (servers == null || servers.isBlank()) {
      throw new IllegalArgumentException("Kafka bootstrap servers must not be empty");
    }
    return new StreamInputs(servers, start, groupIdPrefix, topics, maxRecords, stopTime, dataRoot);
  }

  public StreamInputs withStart(ReadKafka.Start position) {
    if (position == null) {
      throw new IllegalArgumentException("the start position must not be null");
    }
    return new StreamInputs(kafkaBootstrap, position, groupIdPrefix, topics, maxRecords, stopTime, dataRoot);
  }

  public StreamInputs withGroupIdPrefix(String prefix) {
    if (prefix == null || prefix.isBlank()) {
      throw new IllegalArgumentException("the consumer group prefix must not be empty");
    }
    return new StreamInputs(kafkaBootstrap, start, prefix, topics, maxRecords, stopTime, dataRoot);
  }

  /** Kafka: {@code source} reads this topic instead of the definition's (replays, tests). */
  public StreamInputs withTopic(String source, String topic) {
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException("the Kafka topic of source '" + source + "' must not be empty");
    }
    Map<String, String> t = new TreeMap<>(topics);
    t.put(source, topic);
    return new StreamInputs(kafkaBootstrap, start, groupIdPrefix, t, maxRecords, stopTime, dataRoot);
  }

  /** The read of {@code source} ends after {@code n} messages. */
  public StreamInputs withMaxRecords(String source, long n) {
    Map<String, Long> m = new TreeMap<>(maxRecords);
    m.put(source, n);
    return new StreamInputs(kafkaBootstrap, start, groupIdPrefix, topics, m, stopTime, dataRoot);
  }

  public StreamInputs withStopTime(Instant time) {
    if (time == null) {
      throw new IllegalArgumentException("the stop time must not be null");
    }
    return new StreamInputs(kafkaBootstrap, start, groupIdPrefix, topics, maxRecords, time, dataRoot);
  }

  public StreamInputs withDataRoot(String root) {
    return new StreamInputs(kafkaBootstrap, start, groupIdPrefix, topics, maxRecords, stopTime, root);
  }

  /** The read of one source with these settings. */
  public ReadStream read(SourceDef source) {
    ReadStream read = ReadStream.of(source);
    String kind = source.unbounded().kind();
    if ("kafka".equals(kind)) {
      if (kafkaBootstrap != null) {
        read = read.withKafkaBootstrap(kafkaBootstrap);
      }
      if (start != null) {
        read = read.withStart(start);
      }
      if (topics.containsKey(source.name())) {
        read = read.withTopic(topics.get(source.name()));
      }
      if (groupIdPrefix != null) {
        read = read.withGroupId(groupIdPrefix + "-" + source.name());
      }
      if (stopTime != null) {
        read = read.withStopTime(org.joda.time.Instant.ofEpochMilli(stopTime.toEpochMilli()));
      }
    }
    if (maxRecords.containsKey(source.name())) {
      read = read.withMaxRecords(maxRecords.get(source.name()));
    }
    if (dataRoot != null) {
      read = read.withDataRoot(dataRoot);
    }
    return read;
  }
}
