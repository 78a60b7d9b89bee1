package io.featurepipe.transforms.compute;

import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.FeatureRow;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;

/**
 * Turns the tiles of each (group, key) into feature rows, one per window end at which some window
 * of the group holds data, plus the explicit empty row once every window has emptied (DESIGN §3,
 * §7.4). In the global window: a map state of tiles, one event-time timer per due window end.
 *
 * <p>A tile for a window end already emitted (late data within the allowed lateness) merges into
 * its tile and restates, at once, every emitted window end it changes. A stream's rows emitted
 * behind the watermark (a key first seen, or quiet until, late data came) are flagged {@code
 * restated} too: they hold no watermark downstream (see {@code emitBehind}). Tiles are released once no
 * window end within the allowed lateness can read them; a tile that arrives after that (possible
 * only when lateness classification lagged far behind the watermark) cannot be applied exactly and
 * goes to the dead-letter output rather than corrupt a row.
 *
 * <p>Bounded and unbounded inputs run the same code: in a bounded run a key's timer waits for its
 * last due window end, so nothing is ever restated. Its timer may still fire before a tile of a
 * later hop of the key has arrived (a bounded input's watermark is held only by elements not yet
 * processed, so the DirectRunner can pass a timer with such a tile pending); a bounded run
 * therefore never clears a key's state, and a key that returns after a gap keeps its last values
 * and last writes, exactly as when all its tiles were there first.
 */
public final class AssembleWindows
    extends PTransform<PCollection<KV<GroupKey, List<Tile>>>, PCollectionTuple> {

  public static final TupleTag<FeatureRow> ROWS = new TupleTag<>("rows") {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters") {};

  private final Map<String, CompiledGroup> groups;

  AssembleWindows(Map<String, CompiledGroup> groups) {
    this.groups = groups;
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<GroupKey, List<Tile>>> tiles) {
    PCollectionTuple out =
        tiles.apply(
            "Assemble",
            ParDo.of(new AssembleFn(groups, tiles.isBounded() == PCollection.IsBounded.BOUNDED))
                .withOutputTags(ROWS, TupleTagList.of(DEAD_LETTERS)));
    out.get(ROWS).setCoder(FeatureRow.Coder.of());
    out.get(DEAD_LETTERS).setCoder(DeadLetter.Coder.of());
    return out;
  }

  static final class AssembleFn extends DoFn<KV<GroupKey, List<Tile>>, FeatureRow> {
    private final Map<String, CompiledGroup> groups;
    private final Counter rows = Metrics.counter("featurepipe", "feature_rows");
    private final Counter restated = Metrics.counter("featurepipe", "feature_rows_restated");
    private final Counter behindRows = Metrics.counter("featurepipe", "feature_rows_emitted_late");
    private final Counter unappliable = Metrics.counter("featurepipe", "tiles_after_release");
    private final boolean drain;
    private transient Map<String, WindowAssembler> assemblers;

    @StateId("tiles")
    private final StateSpec<MapState<Long, Tile>> tilesSpec =
        StateSpecs.map(VarLongCoder.of(), Tile.Coder.of());

    @StateId("meta")
    private final StateSpec<ValueState<AssemblyState>> metaSpec =
        StateSpecs.value(AssemblyState.Coder.of());

    /**
     * Whether the emit timer was set behind the input watermark (streams only): its rows are then
     * emitted late, after the output watermark may have passed them, and are flagged {@code
     * restated} so that the online store writes them in order with later restatements of them.
     * Stored only when true (one read per emit callback, no write in the usual case).
     */
    @StateId("emitBehind")
    private final StateSpec<ValueState<Boolean>> emitBehindSpec = StateSpecs.value(BooleanCoder.of());

    @TimerId("emit")
    private final TimerSpec emitSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @TimerId("clear")
    private final TimerSpec clearSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    /**
     * @param drain for bounded inputs: one timer per key at its last due window end, and all its
     *     rows in one callback; streams set a timer per due window end, for freshness.
     */
    AssembleFn(Map<String, CompiledGroup> groups, boolean drain) {
      this.groups = groups;
      this.drain = drain;
    }

    @Setup
    public void setup() {
      assemblers = new java.util.HashMap<>();
      groups.forEach((name, g) -> assemblers.put(name, new WindowAssembler(g)));
    }

    @ProcessElement
    public void process(
        @Element KV<GroupKey, List<Tile>> element,
        @StateId("tiles") MapState<Long, Tile> tileState,
        @StateId("meta") ValueState<AssemblyState> meta,
        @StateId("emitBehind") ValueState<Boolean> emitBehind,
        @TimerId("emit") Timer emit,
        MultiOutputReceiver out) {
      GroupKey key = element.getKey();
      WindowAssembler assembler = assemblers.get(key.group());
      AssemblyState s = meta.read();
      if (s == null) {
        s = new AssemblyState();
      }
      StateTiles tiles = new StateTiles(tileState);
      for (Tile partial : element.getValue()) {
        apply(key, partial, assembler, s, tiles, out);
      }
      long due = assembler.nextDue(s);
      if (drain) {
        // Bounded input: one timer at the last due window end; when it fires every tile before it
        // is in, and all the key's rows go out in one callback (stamped with the timer's time).
        s.nextEmit = due;
        emit.set(new Instant(assembler.lastDue(s) - 1));
      } else if (due != s.nextEmit) {
        s.nextEmit = due;
        if (due != AssemblyState.NONE) {
          setEmit(emit, emitBehind, Boolean.TRUE.equals(emitBehind.read()), due);
        }
      }
      meta.write(s);
    }

    /**
     * Merges one partial tile into the key's tiles, and restates at once every emitted window end
     * it changes; a tile whose windows' state was released goes to the dead letters.
     */
    private void apply(
        GroupKey key, Tile partial, WindowAssembler assembler, AssemblyState s, StateTiles tiles, MultiOutputReceiver out) {
      long start = partial.hopStartMillis();
      if (!assembler.canApply(s, start)) {
        unappliable.inc();
        out.get(DEAD_LETTERS)
            .output(
                new DeadLetter(
                    groups.get(key.group()).source().name(),
                    "AssembleWindows/" + key.group(),
                    "late data for the hop starting "
                        + Instant.ofEpochMilli(start)
                        + " arrived after the state of its windows was released (the watermark had"
                        + " moved past its allowed lateness); raise allowed_lateness to keep it",
                    "{\"group\":\"" + key.group() + "\",\"key\":\"" + key.key() + "\"}",
                    ""));
        return;
      }
      Tile existing = s.tileStarts.contains(start) ? tiles.get(start) : null;
      if (existing == null) {
        tiles.put(partial.copy());
        s.tileStarts.add(start);
      } else {
        existing.mergeFrom(partial);
        tiles.put(existing);
      }
      long hop = assembler.hop();
      long end = start + hop;
      if (s.emittedThrough != AssemblyState.NONE && end <= s.emittedThrough) {
        long last = Math.min(s.emittedThrough, start + assembler.longest() + hop);
        WindowAssembler.Cursor cursor = assembler.cursor(s, tiles);
        for (long e = end; e <= last; e += hop) {
          if (assembler.nonEmpty(s, e) || assembler.nonEmpty(s, e - hop)) {
            FeatureRow row = assembler.row(key, s, cursor, e, true);
            out.get(ROWS).outputWithTimestamp(row, new Instant(e - 1));
            rows.inc();
            restated.inc();
          }
        }
      }
    }

    /**
     * Sets the stream's emit timer for window end {@code e} (timestamp {@code e - 1}) and records
     * whether it is behind the input watermark ({@code getCurrentRelativeTime()} of an event-time
     * timer: the DirectRunner and Flink give the input watermark; Dataflow's portable harness gives
     * the element's or the firing timer's timestamp, so nothing is flagged there). A timer at or
     * ahead of the watermark holds the output watermark at its timestamp until its rows are out
     * (both runners fire a timer at T only once the watermark is past T); one set behind holds
     * nothing, and its rows may reach the online store after the watermark the store's
     * restatements wait for.
     *
     * @param wasBehind what the state holds now (so that the usual case writes nothing)
     */
    private static void setEmit(Timer emit, ValueState<Boolean> emitBehind, boolean wasBehind, long e) {
      boolean behind = e - 1 < emit.getCurrentRelativeTime().getMillis();
      emit.set(new Instant(e - 1));
      if (behind && !wasBehind) {
        emitBehind.write(true);
      } else if (!behind && wasBehind) {
        emitBehind.clear();
      }
    }

    @OnTimer("emit")
    public void onEmit(
        OnTimerContext c,
        @Key GroupKey key,
        @StateId("tiles") MapState<Long, Tile> tileState,
        @StateId("meta") ValueState<AssemblyState> meta,
        @StateId("emitBehind") ValueState<Boolean> emitBehind,
        @TimerId("emit") Timer emit,
        @TimerId("clear") Timer clear,
        MultiOutputReceiver out) {
      AssemblyState s = meta.read();
      long fired = c.fireTimestamp().getMillis() + 1;
      if (s == null || s.nextEmit == AssemblyState.NONE || s.nextEmit > fired) {
        return;
      }
      WindowAssembler assembler = assemblers.get(key.group());
      StateTiles tiles = new StateTiles(tileState);
      WindowAssembler.Cursor cursor = assembler.cursor(s, tiles);
      // a stream also emits every later window end the input watermark has passed (their timers
      // would fire in this same advance): a key catching up after a jump of the watermark then
      // sets its next timer ahead of the watermark, not behind it
      long through = drain ? fired : Math.max(fired, emit.getCurrentRelativeTime().getMillis());
      boolean behind = !drain && Boolean.TRUE.equals(emitBehind.read());
      long e = s.nextEmit;
      while (e != AssemblyState.NONE && e <= through) {
        out.get(ROWS).outputWithTimestamp(assembler.row(key, s, cursor, e, false, behind), new Instant(Math.max(e, fired) - 1));
        rows.inc();
        if (behind) {
          behindRows.inc();
        }
        s.emittedThrough = e;
        assembler.evict(s, tiles, e);
        e = assembler.nextDue(s);
      }
      s.nextEmit = e;
      if (e == AssemblyState.NONE) {
        if (behind) {
          emitBehind.clear();
        }
        if (!s.tileStarts.isEmpty() && !drain) {
          // a bounded run keeps the state to its end: a tile of a later hop may still be on its way
          clear.withNoOutputTimestamp().set(new Instant(assembler.clearAt(s)));
        }
      } else if (drain) {
        emit.set(new Instant(assembler.lastDue(s) - 1));
      } else {
        setEmit(emit, emitBehind, behind, e);
      }
      meta.write(s);
    }

    @OnTimer("clear")
    public void onClear(
        @StateId("tiles") MapState<Long, Tile> tileState,
        @StateId("meta") ValueState<AssemblyState> meta) {
      AssemblyState s = meta.read();
      if (s != null && s.nextEmit == AssemblyState.NONE) {
        tileState.clear();
        meta.clear();
      }
    }
  }

  /** {@link WindowAssembler.Tiles} over Beam map state. */
  private static final class StateTiles implements WindowAssembler.Tiles {
    private final MapState<Long, Tile> state;

    StateTiles(MapState<Long, Tile> state) {
      this.state = state;
    }

    @Override
    public Tile get(long hopStart) {
      return state.get(hopStart).read();
    }

    @Override
    public void put(Tile tile) {
      state.put(tile.hopStartMillis(), tile);
    }

    @Override
    public void remove(long hopStart) {
      state.remove(hopStart);
    }
  }
}
