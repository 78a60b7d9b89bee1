package io.featurepipe.benchmarks.validation;

import io.featurepipe.pipelines.ingest.SourcePaths;
import io.featurepipe.pipelines.validate.ReadBatch;
import io.featurepipe.sinks.offline.OfflineStore;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.model.SourceFormat;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.validation.anomalies.ValidateStatistics;
import io.featurepipe.validation.anomalies.ValidationOptions;
import io.featurepipe.validation.check.RecordChecker;
import io.featurepipe.validation.check.TimeBounds;
import io.featurepipe.validation.columns.DatasetColumns;
import io.featurepipe.validation.columns.ExampleValues;
import io.featurepipe.validation.columns.GroupRows;
import io.featurepipe.validation.schema.SchemaFromDefinitions;
import io.featurepipe.validation.stats.DatasetAccumulator;
import io.featurepipe.validation.stats.StatisticsCombineFn;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;

/**
 * Where validation's time goes: each part of it timed alone on the data of a backfill,
 * single-threaded, without a runner (best of two passes, so the JIT has compiled it): decoding the
 * records (for scale: the backfill pays it with or without validation), the record checks, the
 * statistics of each dataset, one accumulator encode and decode per dataset (a runner pays that per
 * bundle), and validating the statistics.
 */
final class ValidationProfile {
  /** A part of validation and what it cost. */
  record Part(String what, long units, String unit, long nanos, boolean validation) {}

  private final List<Part> parts;

  private ValidationProfile(List<Part> parts) {
    this.parts = parts;
  }

  static ValidationProfile measure(FeatureRepository repo, Path data, LocalDate from, LocalDate to, Path offline)
      throws IOException {
    List<String> groups = repo.allGroups().stream().map(FeatureGroupDef::name).toList();
    List<Part> parts = new ArrayList<>();
    long start = from.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
    long end = to.plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
    Map<String, List<SourceRecord>> read = new LinkedHashMap<>();
    for (String name : ReadBatch.of(repo, data.toString(), groups, from, to).sources()) {
      ReadBatch.EventRange range = ReadBatch.EventRange.of(repo, name, groups, from, to);
      SourceDef source = repo.source(name);
      List<Path> files = files(source, data, range.firstFileDay(), to);
      List<SourceRecord> records = best(parts, "read and decode " + name + " (for scale, not validation)", lineCount(files),
          "line", false, () -> decode(source, files)).stream().filter(r -> range.contains(r.eventTimeMillis())).toList();
      read.put(name, records);
      RecordChecker checker = new RecordChecker(repo, name, TimeBounds.defaults()
          .withRange(Instant.ofEpochMilli(range.startMillis()), Instant.ofEpochMilli(range.endMillis())));
      best(parts, "CheckRecords " + name, records.size(), "record", true, () -> {
        int failed = 0;
        for (SourceRecord r : records) {
          failed += checker.check(r).isEmpty() ? 0 : 1;
        }
        return failed;
      });
      List<SourceRecord> days = records.stream().filter(r -> r.eventTimeMillis() >= start && r.eventTimeMillis() < end).toList();
      statistics(parts, name + "/source", StatisticsCombineFn.of(DatasetColumns.ofSource(source), ExampleValues.sourceRecords()),
          days, r -> r, SchemaFromDefinitions.forSource(source));
      for (String g : groups) {
        FeatureGroupDef def = repo.group(g);
        if (def.source().equals(name)) {
          GroupRows rows = new GroupRows(repo, def);
          statistics(parts, g + "/input", StatisticsCombineFn.of(rows.columns(), ExampleValues.rows()), days,
              r -> groupRow(rows, r), SchemaFromDefinitions.forGroupInput(repo, def));
        }
      }
    }
    OfflineStore store = new OfflineStore(repo, offline.toString());
    for (String g : groups) {
      FeatureGroupDef def = repo.group(g);
      List<FeatureRow> rows = new ArrayList<>();
      for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
        rows.addAll(store.rows(g, d));
      }
      statistics(parts, g + "/features",
          StatisticsCombineFn.of(DatasetColumns.ofGroupFeatures(repo, def), ExampleValues.featureRows()), rows, r -> r,
          SchemaFromDefinitions.forGroupFeatures(repo, def));
    }
    return new ValidationProfile(parts);
  }

  /** Statistics of one dataset: adding every example, one accumulator round trip, validating. */
  private static <T, E> void statistics(
      List<Part> parts, String dataset, StatisticsCombineFn<E> fn, List<T> elements, Function<T, E> toExample,
      org.tensorflow.metadata.v0.Schema schema) throws IOException {
    DatasetAccumulator acc = best(parts, "statistics " + dataset, elements.size(), "example", true, () -> {
      DatasetAccumulator a = fn.createAccumulator();
      for (T e : elements) {
        E example = toExample.apply(e);
        if (example != null) {
          fn.addInput(a, example);
        }
      }
      return a;
    });
    Coder<DatasetAccumulator> coder;
    try {
      coder = fn.getAccumulatorCoder(CoderRegistry.createDefault(), null);
    } catch (org.apache.beam.sdk.coders.CannotProvideCoderException e) {
      throw new IllegalStateException(e);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    coder.encode(acc, bytes);
    best(parts, "accumulator round trip " + dataset + " (" + bytes.size() / 1024 + " KiB; per bundle of more than 32 examples)", 1, "round trip", true,
        () -> {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          coder.encode(acc, out);
          return coder.decode(new ByteArrayInputStream(out.toByteArray()));
        });
    DatasetFeatureStatistics stats = fn.extractOutput(acc);
    best(parts, "validate " + dataset, 1, "dataset", true,
        () -> ValidateStatistics.validate(stats, schema, ValidationOptions.defaults().withBaseline(stats)));
  }

  private static Object[] groupRow(GroupRows rows, SourceRecord r) {
    try {
      return rows.row(r);
    } catch (BadRecordException e) {
      return null;
    }
  }

  /** Runs a part twice and records the faster pass. */
  private static <T> T best(
      List<Part> parts, String what, long units, String unit, boolean validation, IoSupplier<T> work) throws IOException {
    long bestNanos = Long.MAX_VALUE;
    T result = null;
    for (int pass = 0; pass < 2; pass++) {
      long t0 = System.nanoTime();
      result = work.get();
      bestNanos = Math.min(bestNanos, System.nanoTime() - t0);
    }
    parts.add(new Part(what, units, unit, bestNanos, validation));
    return result;
  }

  private interface IoSupplier<T> {
    T get() throws IOException;
  }

  /** The files the backfill reads: each day's pattern (a glob in its file name) expanded. */
  private static List<Path> files(SourceDef source, Path data, LocalDate firstDay, LocalDate to) throws IOException {
    List<Path> out = new ArrayList<>();
    for (String pattern : SourcePaths.patterns(source, data.toString(), firstDay, to)) {
      Path p = Path.of(pattern);
      if (!Files.isDirectory(p.getParent())) {
        continue;
      }
      try (var matches = Files.newDirectoryStream(p.getParent(), p.getFileName().toString())) {
        matches.forEach(out::add);
      }
    }
    out.sort(null);
    return out;
  }

  private static long lineCount(List<Path> files) throws IOException {
    long n = 0;
    for (Path f : files) {
      try (var lines = Files.lines(f)) {
        n += lines.count();
      }
    }
    return n;
  }

  /** Reads and decodes the files as the backfill does (CSV files start with their header). */
  private static List<SourceRecord> decode(SourceDef source, List<Path> files) throws IOException {
    RecordDecoder decoder = new RecordDecoder(source);
    List<SourceRecord> out = new ArrayList<>();
    for (Path f : files) {
      List<String> lines = Files.readAllLines(f);
      boolean csv = source.format() == SourceFormat.CSV;
      List<String> header = csv ? Arrays.asList(lines.get(0).split(",")) : null;
      for (String line : csv ? lines.subList(1, lines.size()) : lines) {
        try {
          out.add(csv ? decoder.fromCsv(line, header, "") : decoder.fromJson(line, ""));
        } catch (BadRecordException e) {
          // the backfill dead-letters it; not part of validation
        }
      }
    }
    return out;
  }

  /**
   * The Markdown table, and what the backfill's measured CPU difference says about the runner's share.
   *
   * @param cpuDifferenceMillis the median CPU time with validation minus the median without
   * @param offCpuMillis the CPU time of every run without validation (their spread is the machine's noise)
   */
  String markdown(long cpuDifferenceMillis, List<Long> offCpuMillis) {
    StringBuilder md = new StringBuilder("Where the time goes: each part of validation alone on the same data, single-threaded, ");
    md.append("no runner, best of two passes (`ValidationProfile`).\n\n");
    md.append("| part | work | ms | µs per unit |\n|---|---:|---:|---:|\n");
    long total = 0;
    for (Part p : parts) {
      if (p.validation()) {
        total += p.nanos();
      }
      md.append(String.format(Locale.ROOT, "| %s | %,d %s%s | %.1f | %.2f |%n", p.what(), p.units(), p.unit(),
          p.units() == 1 ? "" : "s", p.nanos() / 1e6, p.nanos() / 1e3 / Math.max(1, p.units())));
    }
    long lo = offCpuMillis.stream().mapToLong(Long::longValue).min().orElse(0);
    long hi = offCpuMillis.stream().mapToLong(Long::longValue).max().orElse(0);
    if (Math.abs(cpuDifferenceMillis) <= hi - lo) {
      md.append(String.format(Locale.ROOT,
          "%nThe parts of validation add up to %.1f s of CPU. The backfill's median CPU time changed by %+.1f s "
              + "with validation, less than the spread of the runs without it (%.1f to %.1f s): the runner's "
              + "share of validation (more steps and bundles, partial statistics encoded, shuffled and merged, "
              + "side inputs) is below what this machine resolves.%n",
          total / 1e9, cpuDifferenceMillis / 1e3, lo / 1e3, hi / 1e3));
    } else {
      md.append(String.format(Locale.ROOT,
          "%nThe parts of validation add up to %.1f s of CPU; the backfill's CPU time grew by %.1f s. "
              + "The rest (%.1f s) is the runner's: more steps and bundles, partial statistics encoded, "
              + "shuffled and merged, side inputs.%n",
          total / 1e9, cpuDifferenceMillis / 1e3, Math.max(0, cpuDifferenceMillis / 1e3 - total / 1e9)));
    }
    return md.toString();
  }
}
