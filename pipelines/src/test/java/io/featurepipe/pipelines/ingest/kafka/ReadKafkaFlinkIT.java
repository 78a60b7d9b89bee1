package io.featurepipe.pipelines.ingest.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.featurepipe.pipelines.ingest.ReadStream;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.testing.Collected;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.joda.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same unbounded read on the Flink runner (embedded mini-cluster, streaming, detached): every
 * produced record arrives once with its event-time timestamp, and bad values as dead letters.
 */
class ReadKafkaFlinkIT {

  static EmbeddedKafka kafka;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  @Test
  void readsTheTopicUnboundedOnFlink() throws Exception {
    kafka.createTopic("flink", 2);
    List<String> expected = new ArrayList<>();
    try (ProduceLines out = ProduceLines.to(kafka.bootstrapServers(), "flink")) {
      for (int i = 0; i < 20; i++) {
        Instant t = Instant.parse("2026-01-01T00:00:00.250Z").plus(i * 1000L);
        out.line(ReadKafkaIT.line(t.toString(), "u" + i, i), null);
        expected.add("[" + t.getMillis() + "000000, u" + i + ", " + i + "] @ " + t);
      }
      out.line("{\"user\":\"no time\"}", null);
    }
    FlinkPipelineOptions o = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    o.setRunner(FlinkRunner.class);
    o.setFlinkMaster("[local]");
    o.setParallelism(2);
    o.setStreaming(true);
    o.setAttachedMode(false);
    Pipeline p = Pipeline.create(o);
    SourceDef source = ReadKafkaIT.clicks("jsonl");
    PCollectionTuple read =
        p.apply(
            "ReadClicks",
            ReadStream.of(source)
                .withKafkaBootstrap(kafka.bootstrapServers())
                .withTopic("flink")
                .withGroupId("flink-group")
                .withStart(ReadKafka.Start.EARLIEST));
    String box = ReadKafkaIT.collect(read);
    PipelineResult result = p.run();
    try {
      ReadKafkaIT.await(() -> Collected.get(box + "/r").size() >= 20 && !Collected.get(box + "/d").isEmpty());
    } finally {
      try {
        result.cancel();
      } catch (IllegalStateException e) {
        // the detached [local] mini-cluster is already gone
      }
    }
    List<String> got = Collected.get(box + "/r");
    got.sort(null);
    expected.sort(null);
    assertEquals(expected, got);
    List<DeadLetter> dead = Collected.get(box + "/d");
    assertEquals(1, dead.size());
    assertEquals("required field 'ts' is missing", dead.get(0).reason());
    assertEquals("kafka:flink/0/10", dead.get(0).origin());
  }
}
