package io.featurepipe.transforms.compute;

import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.expr.ExpressionException;
import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Applies every group of a source to each of its records (filter, derived columns, keys) and emits
 * one keyed {@link TileInput} per group that keeps the record. A record whose expressions fail for
 * a group goes to the dead-letter output with the group and the reason; the other groups still
 * use it.
 */
final class PrepareGroups extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {

  static final TupleTag<KV<GroupKey, TileInput>> PREPARED = new TupleTag<>("prepared") {};
  static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters") {};

  private final SourceDef source;
  private final List<CompiledGroup> groups;
  private final Map<String, EntityDef> entities;

  PrepareGroups(SourceDef source, List<CompiledGroup> groups, Map<String, EntityDef> entities) {
    this.source = source;
    this.groups = groups;
    this.entities = entities;
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceRecord> records) {
    PCollectionTuple out =
        records.apply(
            "Prepare",
            ParDo.of(new PrepareFn(source, groups, entities))
                .withOutputTags(PREPARED, TupleTagList.of(DEAD_LETTERS)));
    out.get(PREPARED).setCoder(KvCoder.of(GroupKey.Coder.of(), TileInput.Coder.of()));
    out.get(DEAD_LETTERS).setCoder(DeadLetter.Coder.of());
    return out;
  }

  static final class PrepareFn extends DoFn<SourceRecord, KV<GroupKey, TileInput>> {
    private final SourceDef source;
    private final List<CompiledGroup> groups;
    private final Map<String, EntityDef> entities;
    private final Map<String, Counter> failures = new HashMap<>();
    private final Map<String, Counter> filtered = new HashMap<>();
    private transient List<GroupPreparer> preparers;
    private transient RecordDecoder json;

    PrepareFn(SourceDef source, List<CompiledGroup> groups, Map<String, EntityDef> entities) {
      this.source = source;
      this.groups = groups;
      this.entities = entities;
      for (CompiledGroup g : groups) {
        failures.put(g.name(), Metrics.counter("featurepipe", "dead_letters_prepare_" + g.name()));
        filtered.put(g.name(), Metrics.counter("featurepipe", "filtered_out_" + g.name()));
      }
    }

    @Setup
    public void setup() throws ExpressionException {
      preparers = new ArrayList<>();
      for (CompiledGroup g : groups) {
        preparers.add(new GroupPreparer(g, entities.get(g.def().entity()).keys()));
      }
      json = new RecordDecoder(source);
    }

    @ProcessElement
    public void process(@Element SourceRecord record, MultiOutputReceiver out) {
      Map<String, Object> cel = GroupPreparer.celColumns(source, record);
      for (GroupPreparer p : preparers) {
        String group = p.group().name();
        try {
          GroupPreparer.Prepared prepared = p.prepare(record, cel);
          if (prepared == null) {
            filtered.get(group).inc();
          } else {
            out.get(PREPARED).output(KV.of(new GroupKey(group, prepared.key()), prepared.input()));
          }
        } catch (BadRecordException e) {
          failures.get(group).inc();
          out.get(DEAD_LETTERS)
              .output(
                  new DeadLetter(
                      source.name(),
                      "PrepareGroups/" + group,
                      e.getMessage(),
                      json.toJson(record),
                      record.origin()));
        }
      }
    }
  }
}
