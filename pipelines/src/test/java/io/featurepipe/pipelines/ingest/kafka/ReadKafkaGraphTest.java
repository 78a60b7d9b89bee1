package io.featurepipe.pipelines.ingest.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.ingest.ReadStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.junit.jupiter.api.Test;

/**
 * The read's graph: on Flink an unbounded read ends its source's chain with {@code Rebalance}
 * right after the source (before any step that holds records in a bundle); elsewhere, and for a
 * bounded read, the decoder follows the source directly.
 */
class ReadKafkaGraphTest {

  @Test
  void anUnboundedReadOnFlinkIsRebalancedRightAfterTheSource() throws Exception {
    List<String> names = steps(FlinkRunner.class, ReadStream.of(ReadKafkaIT.clicks("jsonl")).withKafkaBootstrap("localhost:1"));
    int source = indexOf(names, "Read/ReadKafka/ReadTopic");
    int rebalance = indexOf(names, "Read/ReadKafka/Rebalance");
    int decode = indexOf(names, "Read/ReadKafka/Decode");
    assertTrue(source >= 0 && rebalance > source && decode > rebalance, names.toString());
  }

  @Test
  void otherRunnersAndBoundedReadsHaveNoRebalance() throws Exception {
    ReadStream read = ReadStream.of(ReadKafkaIT.clicks("jsonl")).withKafkaBootstrap("localhost:1");
    assertEquals(-1, indexOf(steps(DirectRunner.class, read), "Rebalance"));
    assertEquals(-1, indexOf(steps(FlinkRunner.class, read.withMaxRecords(10)), "Rebalance"));
    assertTrue(indexOf(steps(FlinkRunner.class, read.withMaxRecords(10)), "Read/ReadKafka/Decode") >= 0);
  }

  private static List<String> steps(Class<? extends PipelineRunner<?>> runner, ReadStream read) {
    PipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    options.setRunner(runner);
    Pipeline p = Pipeline.create(options);
    p.apply("Read", read);
    List<String> names = new ArrayList<>();
    p.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
        if (!node.isRootNode()) {
          names.add(node.getFullName());
        }
        return CompositeBehavior.ENTER_TRANSFORM;
      }

      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        names.add(node.getFullName());
      }
    });
    return names;
  }

  /** The first step whose full name starts with {@code prefix}, or -1. */
  private static int indexOf(List<String> names, String prefix) {
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).startsWith(prefix) || names.get(i).contains("/" + prefix)) {
        return i;
      }
    }
    return -1;
  }
}
