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
    /** Per preparer: the index of its filter among the distinct filters of the groups, or -1. */
    private transient int[] filterOf;
    private transient int filters;
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
      // groups of a source often share a filter: it is evaluated once per record
      Map<String, Integer> distinct = new HashMap<>();
      filterOf = new int[preparers.size()];
      for (int i = 0; i < filterOf.length; i++) {
        String filter = preparers.get(i).filter();
        filterOf[i] = filter == null ? -1 : distinct.computeIfAbsent(filter, f -> distinct.size());
      }
      filters = distinct.size();
      json = new RecordDecoder(source);
    }

    @ProcessElement
    public void process(@Element SourceRecord record, MultiOutputReceiver out) {
      Map<String, Object> cel = GroupPreparer.celColumns(source, record);
      Object[] verdicts = new Object[filters]; // per distinct filter: Boolean, or the BadRecordException
      for (int i = 0; i < preparers.size(); i++) {
        GroupPreparer p = preparers.get(i);
        String group = p.group().name();
        try {
          if (!keeps(i, cel, verdicts)) {
            filtered.get(group).inc();
            continue;
          }
          GroupPreparer.Prepared prepared = p.prepareKept(record, cel);
          out.get(PREPARED).output(KV.of(new GroupKey(group, prepared.key()), prepared.input()));
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

    private boolean keeps(int preparer, Map<String, Object> cel, Object[] verdicts) throws BadRecordException {
      int f = filterOf[preparer];
      if (f < 0) {
        return true;
      }
      if (verdicts[f] == null) {
        try {
          verdicts[f] = preparers.get(preparer).keeps(cel);
        } catch (BadRecordException e) {
          verdicts[f] = e;
        }
      }
      if (verdicts[f] instanceof BadRecordException e) {
        throw e;
      }
      return (Boolean) verdicts[f];
    }
  }
}
