package io.featurepipe.pipelines.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.sinks.offline.OfflineLayout;
import io.featurepipe.sinks.offline.OfflineStore;
import io.featurepipe.sinks.offline.Publication;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.reference.ReferenceFeatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backfills of the committed sample: the published partitions hold exactly the rows an independent
 * brute-force computation over all events gives for the range's dates (so the lookback before
 * {@code --from} is read), a rerun replaces its partitions with the same records, and partitions
 * outside the range are never touched.
 */
class BackfillTest {
  static final Path DEFS = Path.of("../feature-defs/payments");
  static final Path DATA = Path.of("../test-data/sample");
  static final LocalDate D1 = LocalDate.of(2026, 1, 8);
  static final LocalDate D2 = LocalDate.of(2026, 1, 9);

  static FeatureRepository repo;
  /** Malformed lines per sample file ({@code source/date}), as the decoder finds them. */
  static final Map<String, Integer> BAD_LINES = new TreeMap<>();
  static final Map<String, List<SourceRecord>> RECORDS = new TreeMap<>();

  @BeforeAll
  static void load() throws Exception {
    repo = RepositoryLoader.load(DEFS);
  }

  static void backfill(Backfill.Spec spec) {
    DirectOptions options = PipelineOptionsFactory.as(DirectOptions.class);
    options.setRunner(DirectRunner.class);
    // the transforms' own tests run with the DirectRunner's checks on; here they only cost time
    options.setEnforceImmutability(false);
    options.setEnforceEncodability(false);
    Pipeline p = Pipeline.create(options);
    Backfill.build(p, spec);
    p.run().waitUntilFinish();
  }

  @Test
  void publishesTheRangeEqualToAReferenceRerunsReplaceAndOtherDaysAreUntouched(@TempDir Path dir)
      throws Exception {
    String root = dir.resolve("offline").toString();
    List<String> groups = List.of("user_spend", "user_logins");
    // an earlier backfill of the next day: it must survive the runs below untouched (set-up only:
    // not validated, which the runs below are)
    backfill(new Backfill.Spec(repo, DATA.toString(), D2.plusDays(1), D2.plusDays(1), List.of("user_logins"), root, "a", null)
        .withValidation(null));
    OfflineStore store = new OfflineStore(repo, root);
    Publication next = store.publication("user_logins", D2.plusDays(1));
    List<FeatureRow> nextRows = store.rows("user_logins", D2.plusDays(1));

    backfill(new Backfill.Spec(repo, DATA.toString(), D1, D2, groups, root, "b", null));
    Map<String, FeatureRow> first = published(store, groups, "b");
    for (String g : groups) {
      assertMatchesReference(g, first);
    }
    assertNull(store.publication("user_spend", D2.plusDays(1)), "no partition outside the range");
    assertNull(store.publication("user_spend", D1.minusDays(1)), "no partition outside the range");
    assertNull(store.publication("merchant_risk", D1), "only the chosen groups");
    List<Path> runB = dataFiles(dir, "user_spend", D1);

    backfill(new Backfill.Spec(repo, DATA.toString(), D1, D2, groups, root, "c", null));
    Map<String, FeatureRow> second = published(store, groups, "c");
    assertEquals(first.keySet(), second.keySet());
    for (String id : first.keySet()) {
      assertTrue(Arrays.deepEquals(first.get(id).values(), second.get(id).values()), id);
    }
    List<Path> runC = dataFiles(dir, "user_spend", D1);
    assertTrue(runC.stream().allMatch(f -> f.getFileName().toString().startsWith("run-c-")), runC.toString());
    assertFalse(runB.stream().anyMatch(runC::contains), "the first run's files are replaced");

    assertEquals(next, store.publication("user_logins", D2.plusDays(1)));
    assertEquals(nextRows, store.rows("user_logins", D2.plusDays(1)));
    Path dead = dir.resolve("offline/_dead_letters/run-c");
    long deadLines;
    try (Stream<Path> files = Files.list(dead)) {
      deadLines = files.mapToLong(BackfillTest::lines).sum();
    }
    long badLines = 0;
    for (String source : List.of("payments", "logins")) {
      for (LocalDate d = LocalDate.of(2026, 1, 1); !d.isAfter(D2); d = d.plusDays(1)) {
        badLines += BAD_LINES.getOrDefault(source + "/" + d, 0);
      }
    }
    assertTrue(badLines > 20, "the sample has malformed lines in the days read");
    assertEquals(badLines, deadLines, "every undecodable line of the files read is a dead letter");
  }

  /** The published rows of the range by identity, checking every partition names the run. */
  static Map<String, FeatureRow> published(OfflineStore store, List<String> groups, String run)
      throws Exception {
    Map<String, FeatureRow> rows = new TreeMap<>();
    for (String g : groups) {
      for (LocalDate d = D1; !d.isAfter(D2); d = d.plusDays(1)) {
        Publication pub = store.publication(g, d);
        assertEquals(run, pub.runId());
        List<FeatureRow> part = store.rows(g, d);
        assertEquals(pub.rows(), part.size());
        for (FeatureRow r : part) {
          assertEquals(d, OfflineLayout.dateOf(r.windowEndMillis()));
          assertNull(rows.put(r.identity(), r), "one row per (group, key, window end)");
        }
      }
    }
    return rows;
  }

  static void assertMatchesReference(String group, Map<String, FeatureRow> published) throws Exception {
    long start = OfflineLayout.startOf(D1);
    long end = OfflineLayout.startOf(D2.plusDays(1));
    int compared = 0;
    for (ReferenceFeatures.ExpectedRow e :
        ReferenceFeatures.compute(repo, group, sampleRecords(repo.group(group).source())).rows()) {
      if (e.empty() || e.windowEndMillis() < start || e.windowEndMillis() >= end) {
        continue;
      }
      FeatureRow r = published.get(e.identity());
      assertTrue(r != null, "missing " + e);
      assertTrue(Arrays.deepEquals(e.values(), r.values()), "expected " + e + "\n but was " + r);
      compared++;
    }
    long inGroup = published.keySet().stream().filter(k -> k.startsWith(group + "|")).count();
    assertEquals(compared, inGroup, "no row beyond the reference's");
    assertTrue(compared > 1000, "compared " + compared);
  }

  /** Every valid record of a sample source, decoded by the source definition. */
  static synchronized List<SourceRecord> sampleRecords(String source) throws Exception {
    if (RECORDS.containsKey(source)) {
      return RECORDS.get(source);
    }
    RecordDecoder decoder = new RecordDecoder(repo.source(source));
    List<SourceRecord> out = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(DATA.resolve(source))) {
      files = s.sorted().toList();
    }
    boolean csv = source.equals("logins");
    for (Path f : files) {
      List<String> lines = Files.readAllLines(f);
      List<String> header = csv ? Arrays.asList(lines.get(0).split(",")) : null;
      for (String line : csv ? lines.subList(1, lines.size()) : lines) {
        try {
          out.add(csv ? decoder.fromCsv(line, header, "") : decoder.fromJson(line, ""));
        } catch (BadRecordException e) {
          String day = f.getFileName().toString().substring(0, 10);
          BAD_LINES.merge(source + "/" + day, 1, Integer::sum);
        }
      }
    }
    RECORDS.put(source, out);
    return out;
  }

  static List<Path> dataFiles(Path dir, String group, LocalDate d) throws Exception {
    Path folder = dir.resolve("offline").resolve(OfflineLayout.partition(repo.group(group), d));
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(f -> f.toString().endsWith(".avro")).sorted().toList();
    }
  }

  static long lines(Path f) {
    try (Stream<String> l = Files.lines(f)) {
      return l.count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
