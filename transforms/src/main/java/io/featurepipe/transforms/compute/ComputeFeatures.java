package io.featurepipe.transforms.compute;

import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/**
 * The one feature transform: source records in, feature rows out, for every feature group of a
 * repository (or a chosen subset), whether the input is bounded (backfills) or unbounded (streams).
 *
 * <p>Input: a {@link PCollectionTuple} with one {@code PCollection<SourceRecord>} per source the
 * groups read, tagged by {@link #sourceTag(String)}, each element timestamped with its event time.
 * Output: {@link FeatureOutputs}.
 *
 * <pre>{@code
 * FeatureOutputs out =
 *     PCollectionTuple.of(ComputeFeatures.sourceTag("payments"), payments)
 *         .apply("ComputeFeatures", ComputeFeatures.of(repository).withGroups(List.of("user_spend")));
 * out.rows();        // PCollection<FeatureRow>
 * out.lateEvents();  // too-late events, whole
 * out.deadLetters(); // records an expression could not process
 * }</pre>
 *
 * <p>Steps (stable names): {@code ClassifyLateness/<source>} (unbounded inputs only),
 * {@code PrepareGroups/<source>}, {@code PreAggregateTiles}, {@code AssembleWindows}. Each event is
 * added to one tile per group (one hop of one key); windows are assembled from tiles, so a 7-day
 * window on a 1-hour hop costs one tile update per event, not 168 window updates.
 */
public final class ComputeFeatures extends PTransform<PCollectionTuple, FeatureOutputs> {

  /** Default number of shards of the lateness classifier. */
  public static final int DEFAULT_LATENESS_SHARDS = 16;

  private final FeatureRepository repository;
  private final Set<String> groups;
  private final int latenessShards;

  private ComputeFeatures(FeatureRepository repository, Set<String> groups, int latenessShards) {
    this.repository = repository;
    this.groups = groups;
    this.latenessShards = latenessShards;
  }

  /** Computes every group of the repository. */
  public static ComputeFeatures of(FeatureRepository repository) {
    return new ComputeFeatures(
        repository, new TreeSet<>(repository.groups().keySet()), DEFAULT_LATENESS_SHARDS);
  }

  /** The tag of a source's records in the input tuple. */
  public static TupleTag<SourceRecord> sourceTag(String sourceName) {
    return new TupleTag<>(sourceName);
  }

  /** Computes only these groups. */
  public ComputeFeatures withGroups(Collection<String> groupNames) {
    for (String g : groupNames) {
      repository.group(g);
    }
    if (groupNames.isEmpty()) {
      throw new IllegalArgumentException("no feature groups chosen");
    }
    return new ComputeFeatures(repository, new TreeSet<>(groupNames), latenessShards);
  }

  /** How many shards classify lateness in unbounded runs (parallelism of that step). */
  public ComputeFeatures withLatenessShards(int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("lateness shards must be at least 1, not " + shards);
    }
    return new ComputeFeatures(repository, groups, shards);
  }

  /** The sources the chosen groups read, in definition order. */
  public List<String> sources() {
    List<String> out = new ArrayList<>();
    for (FeatureGroupDef g : repository.allGroups()) {
      if (groups.contains(g.name()) && !out.contains(g.source())) {
        out.add(g.source());
      }
    }
    return out;
  }

  @Override
  public FeatureOutputs expand(PCollectionTuple input) {
    Map<String, CompiledGroup> compiled = new LinkedHashMap<>();
    for (FeatureGroupDef g : repository.allGroups()) {
      if (groups.contains(g.name())) {
        compiled.put(g.name(), CompiledGroup.of(repository, g));
      }
    }
    List<PCollection<KV<GroupKey, TileInput>>> prepared = new ArrayList<>();
    List<PCollection<DeadLetter>> late = new ArrayList<>();
    List<PCollection<DeadLetter>> dead = new ArrayList<>();
    for (String sourceName : sources()) {
      TupleTag<SourceRecord> tag = sourceTag(sourceName);
      if (!input.has(tag)) {
        throw new IllegalArgumentException(
            "ComputeFeatures needs the records of source '" + sourceName + "' (tag "
                + sourceName + ") in its input; it has " + input.getAll().keySet());
      }
      SourceDef source = repository.source(sourceName);
      List<CompiledGroup> ofSource = new ArrayList<>();
      long finestHop = Long.MAX_VALUE;
      for (CompiledGroup g : compiled.values()) {
        if (g.source().name().equals(sourceName)) {
          ofSource.add(g);
          finestHop = Math.min(finestHop, g.hopMillis());
        }
      }
      PCollection<SourceRecord> records = input.get(tag);
      if (records.isBounded() == PCollection.IsBounded.UNBOUNDED) {
        PCollectionTuple classified =
            records.apply(
                "ClassifyLateness/" + sourceName,
                new ClassifyLateness(source, finestHop, latenessShards));
        records = classified.get(ClassifyLateness.ADMITTED);
        late.add(classified.get(ClassifyLateness.LATE));
      }
      PCollectionTuple p =
          records.apply(
              "PrepareGroups/" + sourceName,
              new PrepareGroups(source, ofSource, repository.entities()));
      prepared.add(p.get(PrepareGroups.PREPARED));
      dead.add(p.get(PrepareGroups.DEAD_LETTERS));
    }
    PCollection<KV<GroupKey, TileInput>> flattened =
        PCollectionList.of(prepared).apply("FlattenSources", Flatten.pCollections());
    PCollectionTuple assembled =
        flattened
            .apply("PreAggregateTiles", ParDo.of(new PreAggregateTiles(compiled)))
            // a batch job's keys sort faster hash first; a stream keeps the savepoints' bytes
            .setCoder(KvCoder.of(GroupKey.coderFor(flattened), ListCoder.of(Tile.Coder.of())))
            .apply("AssembleWindows", new AssembleWindows(compiled));
    dead.add(assembled.get(AssembleWindows.DEAD_LETTERS));
    PCollection<FeatureRow> rows = assembled.get(AssembleWindows.ROWS);
    PCollection<DeadLetter> lateAll =
        late.isEmpty()
            ? input.getPipeline().apply("NoLateEvents", Create.empty(DeadLetter.Coder.of()))
            : PCollectionList.of(late).apply("FlattenLate", Flatten.pCollections());
    PCollection<DeadLetter> deadAll =
        PCollectionList.of(dead).apply("FlattenDeadLetters", Flatten.pCollections());
    return new FeatureOutputs(input.getPipeline(), rows, lateAll, deadAll);
  }
}
