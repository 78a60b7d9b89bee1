package io.featurepipe.sinks.online;

import com.google.bigtable.v2.Mutation;
import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import com.google.protobuf.ByteString;
import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.time.TimeRules;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;

/**
 * The cells of each row its writer owns (one-writer rule, {@link WriterOwnership}), as Bigtable
 * mutations, plus what the watermark step needs: the window end of every owned row. A stream
 * registers its start in the metadata rows when it sets up and then reads the registered start
 * back (the latest registration wins); a batch writer reads the registration and the watermark at
 * the start of every bundle.
 *
 * <p>When restatements are ordered (unbounded inputs), the cells of a restated row go to their own
 * output as a {@link Restatement} keyed by row key, for {@link WriteRestatementsFn}; the rows it
 * restates stay on the mutations output.
 */
final class SelectOwnedCells extends DoFn<FeatureRow, KV<ByteString, Iterable<Mutation>>> {
  static final TupleTag<KV<ByteString, Iterable<Mutation>>> MUTATIONS = new TupleTag<>("mutations") {};
  static final TupleTag<KV<ByteString, Restatement>> RESTATEMENTS = new TupleTag<>("restatements") {};
  static final TupleTag<KV<String, Long>> WINDOW_ENDS = new TupleTag<>("windowEnds") {};
  static final TupleTag<FeatureRow> WRITTEN = new TupleTag<>("written") {};
  static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters") {};

  private final BigtableTarget target;
  private final FeatureRepository repository;
  private final List<String> groups;
  private final Long streamStartMillis;
  private final boolean orderRestatements;

  private final Counter cells = Metrics.counter("featurepipe", "online_cells_written");
  private final Counter notOwned = Metrics.counter("featurepipe", "online_rows_not_owned");
  private final Counter notOnline = Metrics.counter("featurepipe", "online_rows_of_other_groups");
  private final Counter rejected = Metrics.counter("featurepipe", "dead_letters_online");

  private transient BigtableDataClient client;
  private transient Map<String, Plan> plans;

  /** What one group's rows need: layout, types, ownership and the metadata last read. */
  private static final class Plan {
    FeatureGroupDef group;
    EntityDef entity;
    String family;
    ByteString[] qualifiers;
    WriterOwnership ownership;
    Long streamStart;
    Long watermark;
  }

  /**
   * @param streamStartMillis the stream's start S, or null for a batch writer
   * @param orderRestatements whether restated rows go to {@link #RESTATEMENTS} rather than {@link
   *     #MUTATIONS}
   */
  SelectOwnedCells(
      BigtableTarget target, FeatureRepository repository, List<String> groups, Long streamStartMillis,
      boolean orderRestatements) {
    this.target = target;
    this.repository = repository;
    this.groups = List.copyOf(groups);
    this.streamStartMillis = streamStartMillis;
    this.orderRestatements = orderRestatements;
  }

  @Setup
  public void setup() throws IOException {
    client = SharedDataClients.acquire(target);
    plans = new HashMap<>();
    List<FeatureGroupDef> defs = new ArrayList<>();
    for (String name : groups) {
      FeatureGroupDef g = repository.group(name);
      defs.add(g);
      Plan p = new Plan();
      p.group = g;
      p.entity = repository.entity(g.entity());
      p.family = OnlineLayout.family(g);
      p.qualifiers = new ByteString[g.features().size()];
      for (int f = 0; f < p.qualifiers.length; f++) {
        p.qualifiers[f] = OnlineLayout.qualifier(g.features().get(f).name());
      }
      p.ownership = ownership(repository, g);
      plans.put(name, p);
      if (streamStartMillis != null) {
        StoreMetadata.registerStreamStart(client, target.table(), g, streamStartMillis);
      }
    }
    if (streamStartMillis != null) {
      refresh(defs);
    }
  }

  static WriterOwnership ownership(FeatureRepository repository, FeatureGroupDef g) {
    return new WriterOwnership(
        TimeRules.millis(g.hop()),
        TimeRules.millis(g.longestWindow()),
        TimeRules.millis(repository.source(g.source()).allowedLateness()));
  }

  @StartBundle
  public void startBundle() {
    if (streamStartMillis == null) {
      List<FeatureGroupDef> defs = new ArrayList<>();
      plans.values().forEach(p -> defs.add(p.group));
      refresh(defs);
    }
  }

  private void refresh(List<FeatureGroupDef> defs) {
    Map<String, StoreMetadata.GroupState> meta = StoreMetadata.read(client, target.table(), defs);
    meta.forEach(
        (name, state) -> {
          Plan p = plans.get(name);
          p.streamStart = state.streamStartMillis();
          p.watermark = state.watermarkMillis();
        });
  }

  @ProcessElement
  public void process(@Element FeatureRow row, MultiOutputReceiver out) {
    Plan p = plans.get(row.group());
    if (p == null) {
      notOnline.inc();
      return;
    }
    long e = row.windowEndMillis();
    if (!row.version().equals(p.group.version())) {
      reject(out, row, "the row is of version " + row.version() + " of group '" + row.group()
          + "', the definitions are at version " + p.group.version());
      return;
    }
    if (e < 0) {
      reject(out, row, "window end " + java.time.Instant.ofEpochMilli(e)
          + " is before 1970: Bigtable cell timestamps cannot be negative");
      return;
    }
    boolean owned;
    BitSet writes = row.onlineWrites();
    if (streamStartMillis != null) {
      long from = p.ownership.streamOwnsFrom(p.streamStart == null ? streamStartMillis : Math.max(p.streamStart, streamStartMillis));
      owned = e >= from;
      if (e == from) {
        // the stream's change detection has no baseline before its first owned window end
        writes = new BitSet();
        writes.set(0, p.qualifiers.length);
      }
    } else {
      owned = p.ownership.batchOwns(e, p.streamStart, p.watermark);
    }
    if (!owned) {
      notOwned.inc();
      return;
    }
    List<Mutation> mutations = new ArrayList<>(writes.cardinality());
    long timestamp = OnlineLayout.cellTimestamp(e);
    for (int f = writes.nextSetBit(0); f >= 0; f = writes.nextSetBit(f + 1)) {
      ByteString value;
      try {
        value = CellValues.encode(row.values()[f], p.group.features().get(f).outputType());
      } catch (IllegalArgumentException ex) {
        reject(out, row, "feature '" + p.group.features().get(f).name() + "': " + ex.getMessage());
        return;
      }
      mutations.add(
          Mutation.newBuilder()
              .setSetCell(
                  Mutation.SetCell.newBuilder()
                      .setFamilyName(p.family)
                      .setColumnQualifier(p.qualifiers[f])
                      .setTimestampMicros(timestamp)
                      .setValue(value))
              .build());
    }
    if (!mutations.isEmpty()) {
      ByteString key;
      try {
        key = OnlineLayout.rowKey(p.entity, row.key());
      } catch (IllegalArgumentException ex) {
        reject(out, row, ex.getMessage());
        return;
      }
      if (orderRestatements && row.restated()) {
        // counted as written cells when written (a superseded one never is)
        out.get(RESTATEMENTS).output(KV.of(key, new Restatement(p.family, e, row.sequence(), mutations)));
      } else {
        out.get(MUTATIONS).output(KV.of(key, mutations));
        cells.inc(mutations.size());
      }
    }
    out.get(WINDOW_ENDS).output(KV.of(row.group(), e));
    out.get(WRITTEN)
        .output(new FeatureRow(row.group(), row.version(), row.key(), e, row.values(), row.empty(),
            writes, row.restated(), row.sequence()));
  }

  private void reject(MultiOutputReceiver out, FeatureRow row, String reason) {
    rejected.inc();
    out.get(DEAD_LETTERS)
        .output(new DeadLetter(
            repository.group(row.group()).source(), "WriteOnline/" + row.group(), reason, row.toString(), ""));
  }

  @Teardown
  public void teardown() {
    if (client != null) {
      SharedDataClients.release(target);
      client = null;
    }
  }
}
