package io.featurepipe.pipelines.ingest.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.ingest.ReadStream;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.SourceDef;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;

/** No Pub/Sub emulator here: the graph is built and its read carries the definition's settings. */
class ReadPubsubTest {

  static final String DEF =
      """
      kind: source
      name: clicks
      format: jsonl
      timestamp: ts
      timestamp_format: iso8601
      fields:
        - {name: ts, type: timestamp, required: true}
      bounded: {path: "clicks/*"}
      unbounded: {pubsub: {subscription: "projects/feature-project/subscriptions/clicks", timestamp_attribute: event_ts}}
      """;

  @Test
  void theGraphReadsTheSubscriptionWithTheTimestampAttribute() throws Exception {
    SourceDef source = RepositoryLoader.load(Map.of("s.yaml", DEF)).source("clicks");
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    var read = p.apply("ReadClicks", ReadStream.of(source));
    assertEquals(PCollection.IsBounded.UNBOUNDED, read.get(ReadStream.RECORDS).isBounded());
    Map<String, String> display = new HashMap<>();
    p.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            if (node.getTransform() instanceof PubsubIO.Read<?> r) {
              display.put("name", node.getFullName());
              for (DisplayData.Item item : DisplayData.from(r).items()) {
                display.put(item.getKey(), String.valueOf(item.getValue()));
              }
            }
            return CompositeBehavior.ENTER_TRANSFORM;
          }
        });
    assertEquals("ReadClicks/ReadPubsub/ReadMessages", display.get("name"));
    assertEquals("event_ts", display.get("timestampAttribute"));
    assertTrue(display.get("subscription").contains("projects/feature-project/subscriptions/clicks"), display.toString());
    assertThrows(IllegalArgumentException.class, () -> p.apply("Again", ReadStream.of(source).withMaxRecords(3)));
  }
}
