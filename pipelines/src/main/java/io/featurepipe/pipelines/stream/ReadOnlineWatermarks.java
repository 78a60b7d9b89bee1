package io.featurepipe.pipelines.stream;

import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.StoreMetadata;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * Reads the online watermark cell M of each group every {@code interval} of processing time:
 * {@code KV<group, M millis>}, stamped with the time of the reading, for {@code CheckFreshness}. A
 * group without a watermark yet (nothing written) gives no reading and counts {@code
 * featurepipe:freshness_no_watermark_<group>}. Steps {@code Ticks} (a {@link GenerateSequence} at
 * one element per interval: an unbounded source every runner checkpoints) and {@code
 * ReadWatermarkCells}.
 */
final class ReadOnlineWatermarks extends PTransform<PBegin, PCollection<KV<String, Long>>> {
  private final BigtableTarget target;
  private final FeatureRepository repository;
  private final List<String> groups;
  private final Duration interval;

  ReadOnlineWatermarks(BigtableTarget target, FeatureRepository repository, List<String> groups, Duration interval) {
    if (interval == null || interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("the freshness interval must be positive, not " + interval);
    }
    this.target = target;
    this.repository = repository;
    this.groups = List.copyOf(groups);
    this.interval = interval;
  }

  @Override
  public PCollection<KV<String, Long>> expand(PBegin begin) {
    return begin
        .apply("Ticks", GenerateSequence.from(0).withRate(1, org.joda.time.Duration.millis(interval.toMillis())))
        .apply("ReadWatermarkCells", ParDo.of(new ReadFn(target, repository, groups)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
  }

  static final class ReadFn extends DoFn<Long, KV<String, Long>> {
    private final BigtableTarget target;
    private final FeatureRepository repository;
    private final List<String> groups;
    private final Counter readings = Metrics.counter("featurepipe", "freshness_readings");
    private transient BigtableDataClient client;
    private transient List<FeatureGroupDef> defs;

    ReadFn(BigtableTarget target, FeatureRepository repository, List<String> groups) {
      this.target = target;
      this.repository = repository;
      this.groups = groups;
    }

    @Setup
    public void setup() throws IOException {
      client = BigtableDataClient.create(target.dataSettings());
      defs = new ArrayList<>();
      groups.forEach(g -> defs.add(repository.group(g)));
    }

    @ProcessElement
    public void process(OutputReceiver<KV<String, Long>> out) {
      Map<String, StoreMetadata.GroupState> meta = StoreMetadata.read(client, target.table(), defs);
      for (String g : groups) {
        Long m = meta.get(g).watermarkMillis();
        if (m == null) {
          Metrics.counter("featurepipe", "freshness_no_watermark_" + g).inc();
        } else {
          readings.inc();
          out.output(KV.of(g, m));
        }
      }
    }

    @Teardown
    public void teardown() {
      if (client != null) {
        client.close();
        client = null;
      }
    }
  }
}
