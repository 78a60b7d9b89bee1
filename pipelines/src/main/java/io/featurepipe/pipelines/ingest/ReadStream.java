package io.featurepipe.pipelines.ingest;

import io.featurepipe.pipelines.ingest.folder.ReadFolder;
import io.featurepipe.pipelines.ingest.kafka.ReadKafka;
import io.featurepipe.pipelines.ingest.pubsub.ReadPubsub;
import io.featurepipe.transforms.decode.PayloadDecoder;
import io.featurepipe.transforms.model.IoSpec;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import org.apache.avro.Schema;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * Reads a source's unbounded input, whatever its kind: the entry point stream pipelines use. Same
 * outputs as {@link ReadSource}: {@link #RECORDS} (each element stamped with its event time floored
 * to the millisecond, full precision in the record) and {@link #DEAD_LETTERS} (undecodable
 * messages, with origin and reason), counted as {@code records_read_<source>} and {@code
 * dead_letters_decode_<source>}.
 *
 * <ul>
 *   <li>{@code kafka: {bootstrap, topic, group_id}} — {@link ReadKafka}: watermark per partition
 *       trailing the largest event time by {@code watermark_delay}, idle partitions advance with
 *       the clock; offsets committed to the group (default {@code featurepipe-<source>}).
 *   <li>{@code pubsub: {subscription | topic, timestamp_attribute}} — {@link ReadPubsub}.
 *   <li>{@code folder: {path, poll_interval}} — {@link ReadFolder}: new files as they appear.
 * </ul>
 *
 * <pre>{@code
 * PCollectionTuple in = p.apply("ReadPayments",
 *     ReadStream.of(payments).withKafkaBootstrap(kafka.bootstrapServers()).withStart(ReadKafka.Start.EARLIEST));
 * in.get(ReadStream.RECORDS); in.get(ReadStream.DEAD_LETTERS);
 * }</pre>
 *
 * <p>Options (all optional, any order): {@link #withKafkaBootstrap}, {@link #withTopic}, {@link #withGroupId}, {@link
 * #withStart}, {@link #withMaxRecords} (Kafka, folder: read that many messages, then end, which
 * makes the read bounded), {@link #withStopTime} (Kafka: end at the first record appended at or
 * after that time), {@link #withAvroSchema} (writer schema of Avro messages), {@link
 * #withDataRoot} (resolves a relative folder path).
 */
public final class ReadStream extends PTransform<PBegin, PCollectionTuple> {

  public static final TupleTag<SourceRecord> RECORDS = ReadSource.RECORDS;
  public static final TupleTag<DeadLetter> DEAD_LETTERS = ReadSource.DEAD_LETTERS;

  private final SourceDef source;
  private final String bootstrap;
  private final String topic;
  private final String groupId;
  private final ReadKafka.Start start;
  private final Long maxRecords;
  private final Instant stopTime;
  private final String avroSchema;
  private final String dataRoot;

  private ReadStream(
      SourceDef source,
      String bootstrap,
      String topic,
      String groupId,
      ReadKafka.Start start,
      Long maxRecords,
      Instant stopTime,
      String avroSchema,
      String dataRoot) {
    this.source = source;
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.groupId = groupId;
    this.start = start;
    this.maxRecords = maxRecords;
    this.stopTime = stopTime;
    this.avroSchema = avroSchema;
    this.dataRoot = dataRoot;
  }

  /** Reads the source's {@code unbounded:} input with the defaults (Kafka: start at the latest). */
  public static ReadStream of(SourceDef source) {
    IoSpec spec = source.unbounded();
    if (spec == null) {
      throw new IllegalArgumentException("source '" + source.name() + "' has no unbounded input");
    }
    String group = spec.getOrDefault("group_id", "featurepipe-" + source.name());
    return new ReadStream(
        source, spec.get("bootstrap"), spec.get("topic"), group, ReadKafka.Start.LATEST, null, null, null, null);
  }

  /** Kafka: the brokers to use instead of the definition's {@code bootstrap}. */
  public ReadStream withKafkaBootstrap(String servers) {
    require(servers != null && !servers.isBlank(), "Kafka bootstrap servers must not be empty");
    return new ReadStream(source, servers, topic, groupId, start, maxRecords, stopTime, avroSchema, dataRoot);
  }

  /** Kafka: the topic to read instead of the definition's {@code topic} (replays, tests). */
  public ReadStream withTopic(String name) {
    require(name != null && !name.isBlank(), "the Kafka topic must not be empty");
    return new ReadStream(source, bootstrap, name, groupId, start, maxRecords, stopTime, avroSchema, dataRoot);
  }

  /** Kafka: the consumer group whose offsets are read and committed. */
  public ReadStream withGroupId(String group) {
    require(group != null && !group.isBlank(), "the Kafka group id must not be empty");
    return new ReadStream(source, bootstrap, topic, group, start, maxRecords, stopTime, avroSchema, dataRoot);
  }

  /** Kafka: where to start when the group has no committed offset (default {@code LATEST}). */
  public ReadStream withStart(ReadKafka.Start position) {
    require(position != null, "the start position must not be null");
    return new ReadStream(source, bootstrap, topic, groupId, position, maxRecords, stopTime, avroSchema, dataRoot);
  }

  /** Kafka and folder: end after this many messages (the read becomes bounded). */
  public ReadStream withMaxRecords(long n) {
    require(n > 0, "the number of records to read must be positive, not " + n);
    return new ReadStream(source, bootstrap, topic, groupId, start, n, stopTime, avroSchema, dataRoot);
  }

  /** Kafka: end at the first record whose Kafka timestamp is at or after {@code time}. */
  public ReadStream withStopTime(Instant time) {
    require(time != null, "the stop time must not be null");
    return new ReadStream(source, bootstrap, topic, groupId, start, maxRecords, time, avroSchema, dataRoot);
  }

  /** Avro messages: the schema they are written with (the source's .avsc); default: derived. */
  public ReadStream withAvroSchema(Schema schema) {
    require(schema != null, "the Avro schema must not be null");
    return new ReadStream(source, bootstrap, topic, groupId, start, maxRecords, stopTime, schema.toString(), dataRoot);
  }

  /** Folder: the root a relative {@code path} is resolved against. */
  public ReadStream withDataRoot(String root) {
    return new ReadStream(source, bootstrap, topic, groupId, start, maxRecords, stopTime, avroSchema, root);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    String kind = source.unbounded().kind();
    require(maxRecords == null || stopTime == null,
        "give a maximum number of records or a stop time, not both");
    Schema schema = avroSchema == null ? null : new Schema.Parser().parse(avroSchema);
    switch (kind) {
      case "kafka":
        return begin.apply(
            "ReadKafka",
            new ReadKafka(
                source, PayloadDecoder.of(source, schema), bootstrap, topic, groupId, start, maxRecords, stopTime));
      case "pubsub":
        require(maxRecords == null && stopTime == null,
            "a Pub/Sub read cannot stop after a number of records or at a time");
        return begin.apply("ReadPubsub", new ReadPubsub(PayloadDecoder.of(source, schema)));
      case "folder":
        require(stopTime == null, "a folder read cannot stop at a time; use a number of records");
        String folder = SourcePaths.resolve(dataRoot, source.unbounded().get("path"));
        return begin.apply("ReadFolder", new ReadFolder(source, folder, maxRecords));
      default:
        throw new IllegalArgumentException(
            "source '" + source.name() + "': reading " + kind + " as a stream is not supported");
    }
  }

  private void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("source '" + source.name() + "': " + message);
    }
  }
}
