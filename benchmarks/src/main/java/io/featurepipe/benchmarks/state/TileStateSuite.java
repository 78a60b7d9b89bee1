package io.featurepipe.benchmarks.state;

import io.featurepipe.benchmarks.BenchmarkSuite;
import io.featurepipe.benchmarks.BenchmarksFile;
import io.featurepipe.benchmarks.Percentiles;
import io.featurepipe.testdata.PaymentsConfig;
import io.featurepipe.testdata.PaymentsGenerator;
import io.featurepipe.transforms.aggregate.Accumulator;
import io.featurepipe.transforms.aggregate.AccumulatorCoder;
import io.featurepipe.transforms.compute.CompiledGroup;
import io.featurepipe.transforms.compute.GroupPreparer;
import io.featurepipe.transforms.compute.Tile;
import io.featurepipe.transforms.compute.TileInput;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.PayloadDecoder;
import io.featurepipe.transforms.model.AggregationKind;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.SourceRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.util.CoderUtils;

/**
 * Suite {@code state}: the bytes a stream's window assembly keeps per tile (capacity plan M9).
 * Generates a payments world at the capacity plan's density (10 payments per user per day; 600
 * users × {@code --scale}, 14 days), decodes every record as the pipelines do ({@link
 * PayloadDecoder}), prepares it for each group of the example catalog ({@link GroupPreparer}: the
 * filter, derived columns and key) and adds it to the tile of its (key, hop) with the group's own
 * accumulators ({@link CompiledGroup#add}). Each finished tile is then encoded as the state holds
 * it: the map entry of {@code AssembleWindows}' tile state, the hop start ({@link VarLongCoder})
 * and the {@link Tile.Coder} value. Baseline in the same run: the same events kept as they arrive
 * ({@link TileInput.Coder}, what a per-key list of events would hold). Slot bytes are also summed
 * by aggregation, so a group without sketches can be sized from the table.
 */
public final class TileStateSuite implements BenchmarkSuite {
  static final int DAYS = 14;

  @Override
  public String name() {
    return "state";
  }

  @Override
  public String description() {
    return "bytes of window-assembly state per tile (encoded accumulators of one key and hop), by group and by aggregation";
  }

  @Override
  public String run(Context context) throws Exception {
    FeatureRepository repo = BenchmarkSuite.exampleCatalog();
    int users = (int) Math.min(99_999, Math.max(20, context.scaled(600)));
    PaymentsConfig config = PaymentsConfig.builder()
        .users(users).merchants(Math.max(8, Math.min(999, users / 5))).days(DAYS).paymentsPerUserPerDay(10).build();
    Path data = Files.createTempDirectory("featurepipe-bench-state");
    PaymentsGenerator generator = new PaymentsGenerator(config);
    generator.writePayments(data);
    generator.writeLogins(data);

    Map<String, GroupSizes> groups = new LinkedHashMap<>();
    Map<String, long[]> bySlotKind = new TreeMap<>(); // aggregation -> {slots, bytes}
    Map<String, Decoded> sources = new LinkedHashMap<>();
    Map<String, Long> rejectedByGroup = new LinkedHashMap<>();
    for (CompiledGroup g : CompiledGroup.list(repo)) {
      SourceDef source = g.source();
      Decoded decoded = sources.get(source.name());
      if (decoded == null) {
        decoded = read(source, data);
        sources.put(source.name(), decoded);
      }
      List<SourceRecord> records = decoded.records();
      long rejected = 0;
      GroupPreparer preparer = new GroupPreparer(g, repo.entity(g.def().entity()).keys());
      Map<List<Object>, Accumulator[]> tiles = new HashMap<>();
      Map<List<Object>, long[]> inputs = new HashMap<>(); // (key, hop) -> {events, TileInput bytes}
      for (SourceRecord r : records) {
        GroupPreparer.Prepared p;
        try {
          p = preparer.prepare(r, GroupPreparer.celColumns(source, r));
        } catch (BadRecordException e) {
          rejected++; // a failing expression or null key: a dead letter in the pipelines, in no tile
          continue;
        }
        if (p == null) {
          continue;
        }
        long hopStart = Math.floorDiv(Math.floorDiv(p.input().eventTimeNanos(), 1_000_000L), g.hopMillis()) * g.hopMillis();
        List<Object> id = List.of(p.key(), hopStart);
        g.add(tiles.computeIfAbsent(id, k -> g.newSlots()), p.input());
        long[] in = inputs.computeIfAbsent(id, k -> new long[2]);
        in[0]++;
        in[1] += CoderUtils.encodeToByteArray(TileInput.Coder.of(), p.input()).length;
      }
      GroupSizes s = new GroupSizes(g);
      for (Map.Entry<List<Object>, Accumulator[]> t : tiles.entrySet()) {
        long hopStart = (Long) t.getKey().get(1);
        int bytes = CoderUtils.encodeToByteArray(VarLongCoder.of(), hopStart).length
            + CoderUtils.encodeToByteArray(Tile.Coder.of(), new Tile(hopStart, t.getValue())).length;
        long[] in = inputs.get(t.getKey());
        s.add(bytes, in[0], in[1]);
        for (int i = 0; i < t.getValue().length; i++) {
          int slotBytes = CoderUtils.encodeToByteArray(AccumulatorCoder.of(), t.getValue()[i]).length;
          long[] k = bySlotKind.computeIfAbsent(kindName(g.slots().get(i).aggregation().kind()), x -> new long[2]);
          k[0]++;
          k[1] += slotBytes;
          if (isSketch(g.slots().get(i).aggregation().kind())) {
            s.sketchBytes += slotBytes;
          }
        }
      }
      groups.put(g.name(), s);
      rejectedByGroup.put(g.name(), rejected);
    }
    deleteTree(data);

    StringBuilder md = new StringBuilder();
    md.append("## state: window-assembly state per tile (capacity plan M9)\n\n");
    md.append(BenchmarksFile.machineLine(context.machine())).append("\n\n");
    md.append(String.format(Locale.ROOT,
        "Data (`./benchmarks/run state --scale %s`): a generated payments world (`PaymentsConfig`: %d users, %d merchants, "
            + "%d days, %s payments per user per day, seed %d): %s. Every record decoded and prepared for each group of "
            + "`feature-defs/payments` (filter, derived columns, key) and added to its (key, hop) tile with the group's "
            + "accumulators; each tile encoded as `AssembleWindows` keeps it (map entry: hop start as a var-long, `Tile.Coder` "
            + "value). Baseline, same run: the tile's events kept as they arrived (`TileInput.Coder`).%n%n",
        context.scale(), config.users(), config.merchants(), config.days(), fmt(config.paymentsPerUserPerDay()), config.seed(),
        String.join(", ", sources.entrySet().stream().map(e -> String.format(Locale.ROOT, "%,d %s records (%,d undecodable lines left out)",
            e.getValue().records().size(), e.getKey(), e.getValue().undecodable())).toList())));
    md.append(String.format(Locale.ROOT, "Records a group's preparation rejected (dead letters in a pipeline, in no tile): %s.%n%n",
        String.join(", ", rejectedByGroup.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue())).toList())));
    md.append("| group | hop | slots (sketches) | tiles | events per tile (mean) | bytes per tile p50 | mean | p99 | max "
        + "| of which sketches (mean) | baseline: the events as arrived (mean bytes) |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<String, GroupSizes> e : groups.entrySet()) {
      GroupSizes s = e.getValue();
      md.append(String.format(Locale.ROOT, "| %s | %s | %d (%d) | %,d | %.1f | %,d | %,.0f | %,d | %,d | %,.0f | %,.0f |%n",
          e.getKey(), s.group.def().hop(), s.group.slots().size(), s.sketchSlots(), s.count(), s.events / (double) s.count(),
          s.percentile(50), s.mean(), s.percentile(99), s.percentile(100), s.sketchBytes / (double) s.count(),
          s.inputBytes / (double) s.count()));
    }
    md.append("\nBytes by aggregation (every slot of every tile above; a slot is one accumulator, shared by the features "
        + "that differ only in window):\n\n| aggregation | slots encoded | mean bytes per slot |\n|---|---:|---:|\n");
    bySlotKind.entrySet().stream()
        .sorted(Comparator.comparingDouble((Map.Entry<String, long[]> e) -> -e.getValue()[1] / (double) e.getValue()[0]))
        .forEach(e -> md.append(String.format(Locale.ROOT, "| %s | %,d | %,.1f |%n",
            e.getKey(), e.getValue()[0], e.getValue()[1] / (double) e.getValue()[0])));
    md.append("\nState per key is the tiles it holds (the longest window plus the allowed lateness, in hops) times these "
        + "bytes, plus one `AssemblyState` (the last row's values); a state backend adds its own per-entry overhead "
        + "(RocksDB: the serialized key and namespace of each map entry).\n");
    return md.toString();
  }

  /** A source's decoded records and the count of lines that did not decode. */
  private record Decoded(List<SourceRecord> records, long undecodable) {}

  /** Every record of a source's generated files, decoded as the pipelines decode them; bad lines counted. */
  private static Decoded read(SourceDef source, Path data) throws IOException {
    String pattern = source.bounded().get("path");
    Path dir = data.resolve(pattern.substring(0, pattern.lastIndexOf('/')));
    PayloadDecoder decoder = PayloadDecoder.of(source, null);
    List<SourceRecord> out = new ArrayList<>();
    long undecodable = 0;
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.sorted().toList();
    }
    for (Path f : files) {
      List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
      for (int i = source.csvHeader() ? 1 : 0; i < lines.size(); i++) {
        if (lines.get(i).isBlank()) {
          continue;
        }
        try {
          out.add(decoder.decode(lines.get(i).getBytes(StandardCharsets.UTF_8), f.getFileName() + ":" + (i + 1)));
        } catch (BadRecordException e) {
          undecodable++; // the generator's deliberately bad lines: dead letters in a pipeline
        }
      }
    }
    return new Decoded(out, undecodable);
  }

  private static boolean isSketch(AggregationKind kind) {
    return kind == AggregationKind.APPROX_COUNT_DISTINCT || kind == AggregationKind.APPROX_QUANTILE;
  }

  private static String kindName(AggregationKind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The tiles of one group: their encoded sizes, events and baseline bytes. */
  private static final class GroupSizes {
    final CompiledGroup group;
    final List<Integer> sizes = new ArrayList<>();
    long events;
    long inputBytes;
    long sketchBytes;

    GroupSizes(CompiledGroup group) {
      this.group = group;
    }

    void add(int bytes, long tileEvents, long tileInputBytes) {
      sizes.add(bytes);
      events += tileEvents;
      inputBytes += tileInputBytes;
    }

    int count() {
      return sizes.size();
    }

    long sketchSlots() {
      return group.slots().stream().filter(s -> isSketch(s.aggregation().kind())).count();
    }

    double mean() {
      return sizes.stream().mapToLong(Integer::longValue).sum() / (double) sizes.size();
    }

    /** The {@code p}-th percentile of the tile sizes (nearest rank). */
    long percentile(double p) {
      return Percentiles.of(sizes.stream().mapToLong(Integer::longValue).sorted().toArray(), p);
    }
  }
}
