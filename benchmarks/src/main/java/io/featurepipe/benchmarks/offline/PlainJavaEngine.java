package io.featurepipe.benchmarks.offline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.featurepipe.benchmarks.offline.BenchFeatures.Feature;
import io.featurepipe.benchmarks.offline.BenchFeatures.Group;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The single-threaded plain-Java baseline: what a careful engineer writes for one machine without
 * a framework. Backfill: stream the JSON lines (Jackson's streaming parser, only the four fields
 * used), add each payment to its key's {@link HourlyTiles}, then per key slide the windows and write
 * the rows as Avro (snappy), one file per group and date. Training set: read the spine CSV, note
 * the (key, {@code e(t)}) each row asks for, stream the offline files of the dates asked for keeping
 * only those rows, and write the training set as one Avro file in spine order.
 */
final class PlainJavaEngine implements OfflineEngine {
  static final long HOP_NANOS = BenchFeatures.HOP_MILLIS * 1_000_000L;
  static final long DELAY_NANOS = BenchFeatures.DELAY_MILLIS * 1_000_000L;

  private final Map<String, Long> rowsByGroup = new java.util.LinkedHashMap<>();

  @Override
  public String name() {
    return "plain Java (1 thread)";
  }

  /** The rows the last backfill wrote, per group. */
  Map<String, Long> rowsByGroup() {
    return Map.copyOf(rowsByGroup);
  }

  @Override
  public long backfill(OfflineWorkload w, Path offline) throws Exception {
    long base = w.fromHop() - BenchFeatures.LONGEST_HOPS;
    int hops = (int) (w.toHopExclusive() - base);
    List<Map<String, HourlyTiles>> tiles = new ArrayList<>();
    BenchFeatures.GROUPS.forEach(g -> tiles.add(new HashMap<>()));
    JsonFactory json = new JsonFactory();
    for (Path file : files(w.paymentsDir(), ".jsonl")) {
      try (BufferedReader in = Files.newBufferedReader(file)) {
        String line;
        while ((line = in.readLine()) != null) {
          Payment p = Payment.parse(json, line);
          if (p == null || p.amount == null) {
            continue;
          }
          long hop = Math.floorDiv(p.nanos, HOP_NANOS) - base;
          if (hop < 0 || hop >= hops) {
            continue;
          }
          for (int g = 0; g < tiles.size(); g++) {
            String key = BenchFeatures.GROUPS.get(g) == BenchFeatures.USER ? p.userId : p.merchantId;
            tiles.get(g).computeIfAbsent(key, k -> new HourlyTiles(hops)).add((int) hop, p.nanos, p.amount);
          }
        }
      }
    }
    long rows = 0;
    for (int g = 0; g < tiles.size(); g++) {
      Group group = BenchFeatures.GROUPS.get(g);
      long n = writeRows(group, tiles.get(g), base, offline.resolve(group.name()));
      rowsByGroup.put(group.name(), n);
      rows += n;
      tiles.set(g, null);
    }
    return rows;
  }

  private static long writeRows(Group g, Map<String, HourlyTiles> tiles, long base, Path dir) throws Exception {
    Schema schema = AvroFiles.featureSchema(g);
    long[] rows = {0};
    try (AvroFiles.ByDate writers = new AvroFiles.ByDate(dir, schema)) {
      for (Map.Entry<String, HourlyTiles> e : tiles.entrySet()) {
        String key = e.getKey();
        e.getValue().rows(g, BenchFeatures.LONGEST_HOPS, (end, values) -> {
          long windowEndMillis = (base + end) * BenchFeatures.HOP_MILLIS;
          GenericRecord r = new GenericData.Record(schema);
          r.put(0, key);
          r.put(1, windowEndMillis * 1000);
          for (int i = 0; i < values.length; i++) {
            r.put(i + 2, values[i]);
          }
          writers.append(dateOf(windowEndMillis), r);
          rows[0]++;
        });
      }
    }
    return rows[0];
  }

  @Override
  public long trainingSet(OfflineWorkload w, Path offline, Path training) throws Exception {
    List<String[]> spine = new ArrayList<>();
    List<Long> ends = new ArrayList<>();
    List<Set<String>> asked = new ArrayList<>();
    BenchFeatures.GROUPS.forEach(g -> asked.add(new HashSet<>()));
    Set<LocalDate> dates = new HashSet<>();
    try (BufferedReader in = Files.newBufferedReader(w.spine())) {
      String header = in.readLine();
      if (!header.equals("user_id,merchant_id,event_time,is_fraud")) {
        throw new IllegalStateException("unexpected spine header " + header);
      }
      String line;
      while ((line = in.readLine()) != null) {
        String[] cols = line.split(",", -1);
        long end = Math.floorDiv(nanos(Instant.parse(cols[2])) - DELAY_NANOS, HOP_NANOS);
        spine.add(cols);
        ends.add(end);
        for (int g = 0; g < asked.size(); g++) {
          asked.get(g).add(EngineOutputs.rowId(key(BenchFeatures.GROUPS.get(g), cols), end));
        }
        dates.add(dateOf(end * BenchFeatures.HOP_MILLIS));
      }
    }
    // the offline rows the spine asks for, by group: (key, e) -> values
    List<Map<String, Object[]>> found = new ArrayList<>();
    for (int gi = 0; gi < BenchFeatures.GROUPS.size(); gi++) {
      Group g = BenchFeatures.GROUPS.get(gi);
      Set<String> wanted = asked.get(gi);
      Map<String, Object[]> rows = new HashMap<>();
      for (LocalDate d : dates) {
        Path dir = offline.resolve(g.name()).resolve("date=" + d);
        if (!Files.isDirectory(dir)) {
          continue;
        }
        for (Path f : files(dir, ".avro")) {
          AvroFiles.read(f, r -> {
            String id = EngineOutputs.rowId(r.get(0).toString(), (Long) r.get(1) / 1000 / BenchFeatures.HOP_MILLIS);
            if (wanted.contains(id)) {
              Object[] v = new Object[g.features().size()];
              for (int i = 0; i < v.length; i++) {
                v[i] = r.get(i + 2);
              }
              rows.put(id, v);
            }
          });
        }
      }
      found.add(rows);
    }
    Schema schema = AvroFiles.trainingSchema();
    Files.createDirectories(training);
    try (AvroFiles.Writer out = new AvroFiles.Writer(training.resolve("training.avro"), schema)) {
      for (int s = 0; s < spine.size(); s++) {
        String[] cols = spine.get(s);
        GenericRecord r = new GenericData.Record(schema);
        r.put(0, cols[0]);
        r.put(1, cols[1]);
        r.put(2, cols[2]);
        r.put(3, Boolean.parseBoolean(cols[3]));
        int field = 4;
        for (int g = 0; g < BenchFeatures.GROUPS.size(); g++) {
          Group group = BenchFeatures.GROUPS.get(g);
          Object[] v = found.get(g).get(EngineOutputs.rowId(key(group, cols), ends.get(s)));
          for (int i = 0; i < group.features().size(); i++) {
            r.put(field++, v != null ? v[i] : group.features().get(i).agg().empty());
          }
        }
        out.append(r);
      }
    }
    return spine.size();
  }

  @Override
  public EngineOutputs outputs(OfflineWorkload w, Path offline, Path training) {
    return new AvroOutputs(
        (g, d) -> files(offline.resolve(g.name()).resolve("date=" + d), ".avro"),
        () -> List.of(training.resolve("training.avro")));
  }

  /** A spine row's key for a group (columns user_id, merchant_id, event_time, is_fraud). */
  private static String key(Group g, String[] spineColumns) {
    return g == BenchFeatures.USER ? spineColumns[0] : spineColumns[1];
  }

  static LocalDate dateOf(long epochMillis) {
    return LocalDate.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
  }

  static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  /** The files of a folder with an extension, in name order (none when the folder is missing). */
  static List<Path> files(Path dir, String extension) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(extension)).sorted().toList();
    }
  }

  /** The fields of a payment line the features use. */
  private static final class Payment {
    String userId;
    String merchantId;
    Double amount;
    long nanos;

    static Payment parse(JsonFactory json, String line) throws IOException {
      if (line.isBlank()) {
        return null;
      }
      Payment p = new Payment();
      try (JsonParser in = json.createParser(line)) {
        if (in.nextToken() != JsonToken.START_OBJECT) {
          throw new IOException("not a JSON object: " + line);
        }
        while (in.nextToken() == JsonToken.FIELD_NAME) {
          String field = in.currentName();
          JsonToken t = in.nextToken();
          switch (field) {
            case "user_id" -> p.userId = in.getText();
            case "merchant_id" -> p.merchantId = in.getText();
            case "amount" -> p.amount = t == JsonToken.VALUE_NULL ? null : in.getDoubleValue();
            case "event_time" -> p.nanos = nanos(Instant.parse(in.getText()));
            default -> in.skipChildren();
          }
        }
      }
      return p;
    }
  }
}
