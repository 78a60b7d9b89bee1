package io.featurepipe.pipelines.ingest.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;

/**
 * A single-node Kafka cluster (KRaft: broker and controller in one process) inside this JVM, for
 * tests of every module and for the quickstart. Listens on 127.0.0.1 only; its log lives in a
 * temporary folder removed on {@link #close()}.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *   kafka.createTopic("payments", 3);
 *   try (ProduceLines out = ProduceLines.to(kafka.bootstrapServers(), "payments")) { ... }
 *   ReadStream.of(source).withKafkaBootstrap(kafka.bootstrapServers()) ...
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final Path dir;
  private final KafkaRaftServer server;
  private final int port;

  private EmbeddedKafka(Path dir, KafkaRaftServer server, int port) {
    this.dir = dir;
    this.server = server;
    this.port = port;
  }

  /** Starts a broker on a free port. */
  public static EmbeddedKafka start() {
    return start(0);
  }

  /** Starts a broker on {@code port} (0: a free one). */
  public static EmbeddedKafka start(int port) {
    try {
      Path dir = Files.createTempDirectory("featurepipe-kafka-");
      int[] ports = freePorts(port);
      int brokerPort = ports[0];
      int controllerPort = ports[1];
      Properties props = new Properties();
      props.put("process.roles", "broker,controller");
      props.put("node.id", "1");
      props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
      props.put("listeners",
          "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
      props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
      props.put("controller.listener.names", "CONTROLLER");
      props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      props.put("inter.broker.listener.name", "PLAINTEXT");
      props.put("log.dirs", dir.resolve("logs").toString());
      props.put("offsets.topic.replication.factor", "1");
      props.put("offsets.topic.num.partitions", "1");
      props.put("transaction.state.log.replication.factor", "1");
      props.put("transaction.state.log.min.isr", "1");
      props.put("group.initial.rebalance.delay.ms", "0");
      props.put("num.partitions", "1");
      props.put("auto.create.topics.enable", "false");
      Path config = dir.resolve("server.properties");
      try (OutputStream out = Files.newOutputStream(config)) {
        props.store(out, null);
      }
      // kafka-storage format; StorageTool.main would exit the JVM
      ByteArrayOutputStream log = new ByteArrayOutputStream();
      int rc =
          StorageTool.execute(
              new String[] {
                "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString(), "--ignore-formatted"
              },
              new PrintStream(log, true, StandardCharsets.UTF_8));
      if (rc != 0) {
        throw new IllegalStateException("formatting the Kafka log failed: " + log);
      }
      KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      server.startup();
      EmbeddedKafka kafka = new EmbeddedKafka(dir, server, brokerPort);
      // looking up a group's coordinator creates the offsets topic now, not during a first read
      kafka.committedOffsets("featurepipe-warm-up");
      return kafka;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded Kafka broker", e);
    }
  }

  /** {@code host:port} to give clients. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /**
   * Creates a topic (nothing when it exists) and returns once every partition has a leader, so
   * that clients can use it at once.
   */
  public void createTopic(String topic, int partitions) {
    try (Admin admin = admin()) {
      try {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("cannot create topic " + topic, e.getCause());
        }
      }
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!ready(admin, topic)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("topic " + topic + " has partitions without a leader after 60 s");
        }
        Thread.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean ready(Admin admin, String topic) throws InterruptedException {
    try {
      TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      return d != null && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
    } catch (ExecutionException e) {
      return false;
    }
  }

  /** The offsets a consumer group has committed, per partition. */
  public Map<TopicPartition, OffsetAndMetadata> committedOffsets(String groupId) {
    try (Admin admin = admin()) {
      return admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot read the offsets of group " + groupId, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
    try {
      Utils.delete(dir.toFile());
    } catch (IOException e) {
      // the log folder is temporary; a leftover is harmless
    }
  }

  /**
   * The broker's port ({@code port}, or a free one when 0) and a different free port for the
   * controller. Both sockets are held until both ports are known: two free ports asked for one
   * after the other can be the same one (a suite once failed on "two listeners on the same port").
   */
  private static int[] freePorts(int port) throws IOException {
    try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
      int broker = port == 0 ? a.getLocalPort() : port;
      int controller = b.getLocalPort() != broker ? b.getLocalPort() : a.getLocalPort();
      return new int[] {broker, controller};
    }
  }
}
