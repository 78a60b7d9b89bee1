package io.featurepipe.pipelines.ingest.kafka;

import io.featurepipe.pipelines.ingest.DecodeMessagesFn;
import io.featurepipe.pipelines.ingest.ReadSource;
import io.featurepipe.pipelines.ingest.UnboundedReads;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.PayloadDecoder;
import io.featurepipe.transforms.model.SourceDef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Reads a source's Kafka topic with Beam's {@link KafkaIO}: values decoded by {@link
 * PayloadDecoder}, element timestamps and watermark from {@link EventTimePolicy}, offsets committed
 * to the consumer group when Beam finalizes a checkpoint. Undecodable values become dead letters
 * with origin {@code kafka:<topic>/<partition>/<offset>}. Built by {@link
 * io.featurepipe.pipelines.ingest.ReadStream}, which documents the options.
 */
public final class ReadKafka extends PTransform<PBegin, PCollectionTuple> {

  /** Where to start when the consumer group has no committed offset. */
  public enum Start {
    EARLIEST,
    LATEST
  }

  private final SourceDef source;
  private final PayloadDecoder decoder;
  private final String bootstrap;
  private final String topic;
  private final String groupId;
  private final Start start;
  private final Long maxRecords;
  private final Instant stopTime;

  public ReadKafka(
      SourceDef source,
      PayloadDecoder decoder,
      String bootstrap,
      String topic,
      String groupId,
      Start start,
      Long maxRecords,
      Instant stopTime) {
    this.source = source;
    this.decoder = decoder;
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.groupId = groupId;
    this.start = start;
    this.maxRecords = maxRecords;
    this.stopTime = stopTime;
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    Map<String, Object> consumer = new HashMap<>();
    consumer.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, start.name().toLowerCase(java.util.Locale.ROOT));
    consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    KafkaIO.Read<byte[], byte[]> read =
        KafkaIO.<byte[], byte[]>read()
            .withBootstrapServers(bootstrap)
            .withTopic(topic)
            .withKeyDeserializer(ByteArrayDeserializer.class)
            .withValueDeserializer(ByteArrayDeserializer.class)
            .withConsumerConfigUpdates(consumer)
            .withTimestampPolicyFactory(
                EventTimePolicy.factory(decoder, Duration.millis(source.watermarkDelay().toMillis())))
            .commitOffsetsInFinalize();
    if (maxRecords != null) {
      read = read.withMaxNumRecords(maxRecords);
    }
    if (stopTime != null) {
      requireRecordsAtOrAfter(stopTime);
      read = read.withStopReadTime(stopTime);
    }
    PCollection<KafkaRecord<byte[], byte[]>> records = begin.apply("ReadTopic", read);
    if (maxRecords == null && stopTime == null) {
      records = UnboundedReads.rebalanced(records);
    }
    PCollectionTuple out =
        records
            .apply(
                "Decode",
                ParDo.of(new DecodeFn(decoder))
                    .withOutputTags(ReadSource.RECORDS, TupleTagList.of(ReadSource.DEAD_LETTERS)));
    return ReadSource.withCoders(out);
  }

  /**
   * KafkaIO finds where to stop in each partition by the first record at or after the stop time,
   * and fails without a message when a partition has none: check now and say which.
   */
  private void requireRecordsAtOrAfter(Instant time) {
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      Map<TopicPartition, Long> query = new HashMap<>();
      for (PartitionInfo p : consumer.partitionsFor(topic)) {
        query.put(new TopicPartition(topic, p.partition()), time.getMillis());
      }
      List<Integer> missing = new ArrayList<>();
      consumer.offsetsForTimes(query).forEach((tp, offset) -> {
        if (offset == null) {
          missing.add(tp.partition());
        }
      });
      if (!missing.isEmpty()) {
        missing.sort(null);
        throw new IllegalArgumentException(
            "source '" + source.name() + "': cannot stop reading topic " + topic + " at " + time
                + ": partitions " + missing + " hold no record at or after that time (KafkaIO"
                + " needs one in every partition to find where to stop); use a number of records");
      }
    }
  }

  static final class DecodeFn extends DecodeMessagesFn<KafkaRecord<byte[], byte[]>> {
    DecodeFn(PayloadDecoder decoder) {
      super(decoder, "ReadKafka");
    }

    @ProcessElement
    public void process(@Element KafkaRecord<byte[], byte[]> record, MultiOutputReceiver out) {
      String origin =
          "kafka:" + record.getTopic() + "/" + record.getPartition() + "/" + record.getOffset();
      byte[] value = record.getKV().getValue();
      try {
        // the timestamp policy already stamped the element with the record's event time
        accept(decoder.decode(value, origin), out);
      } catch (BadRecordException e) {
        reject(e.getMessage(), value, origin, out);
      }
    }
  }
}
