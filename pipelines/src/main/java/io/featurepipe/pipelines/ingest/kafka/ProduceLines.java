package io.featurepipe.pipelines.ingest.kafka;

import io.featurepipe.pipelines.ingest.SourcePaths;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.model.SourceFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces records to a Kafka topic in a fixed order: the lines of a source's files (arrival order
 * within each file, days in order), or values one by one. Record {@code i} goes to partition
 * {@code i mod partitions}, so each partition receives a subsequence of the order and the result
 * is the same on every run. Values have no key.
 *
 * <pre>{@code
 * try (ProduceLines out = ProduceLines.to(kafka.bootstrapServers(), "payments")) {
 *   long n = out.sourceFiles(paymentsSource, "test-data/sample", null, null);
 * }
 * }</pre>
 */
public final class ProduceLines implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final int partitions;
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private long sent;

  private ProduceLines(KafkaProducer<byte[], byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
    this.partitions = producer.partitionsFor(topic).size();
  }

  public static ProduceLines to(String bootstrapServers, String topic) {
    KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                // one batch in flight per broker: a first batch refused while a just-created
                // partition comes up (NOT_LEADER_OR_FOLLOWER) is retried before any later batch is
                // sent, so a later one can never be appended first and leave the retry out of
                // sequence for good (seen once with a fresh topic on the in-process broker)
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    return new ProduceLines(producer, topic);
  }

  /**
   * Produces every non-blank line of the source's bounded files for the days given (both null:
   * all), file by file in name order; a CSV header line is skipped. Returns the number sent.
   */
  public long sourceFiles(SourceDef source, String dataRoot, LocalDate from, LocalDate to) {
    boolean skipHeader = source.format() == SourceFormat.CSV && source.csvHeader();
    long before = sent;
    for (String pattern : SourcePaths.patterns(source, dataRoot, from, to)) {
      List<String> files = new ArrayList<>();
      try {
        for (MatchResult.Metadata m : FileSystems.match(pattern, EmptyMatchTreatment.ALLOW).metadata()) {
          files.add(m.resourceId().toString());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      files.sort(null);
      for (String file : files) {
        file(file, skipHeader);
      }
    }
    flush();
    return sent - before;
  }

  /** Produces every non-blank line of one file (compressed by extension), in order. */
  public long file(String file, boolean skipHeader) {
    long before = sent;
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                Channels.newInputStream(
                    Compression.detect(file)
                        .readDecompressed(FileSystems.open(FileSystems.matchNewResource(file, false)))),
                StandardCharsets.UTF_8))) {
      String line;
      boolean first = true;
      while ((line = in.readLine()) != null) {
        if (line.isBlank() || (first && skipHeader)) {
          first = false;
          continue;
        }
        first = false;
        send(line.getBytes(StandardCharsets.UTF_8), null);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return sent - before;
  }

  /** Produces one line. */
  public void line(String line, Long timestampMillis) {
    send(line.getBytes(StandardCharsets.UTF_8), timestampMillis);
  }

  /** Produces one value; {@code timestampMillis} null lets Kafka stamp it. */
  public void send(byte[] value, Long timestampMillis) {
    int partition = (int) (sent % partitions);
    producer.send(
        new ProducerRecord<>(topic, partition, timestampMillis, null, value),
        (metadata, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
        });
    sent++;
  }

  /** Waits until everything sent so far is acknowledged; fails if anything was not. */
  public void flush() {
    producer.flush();
    Exception e = failure.get();
    if (e != null) {
      throw new IllegalStateException("producing to " + topic + " failed: " + e.getMessage(), e);
    }
  }

  /** How many records were sent. */
  public long sent() {
    return sent;
  }

  @Override
  public void close() {
    try {
      flush();
    } finally {
      producer.close();
    }
  }
}
