package io.featurepipe.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.sinks.offline.OfflineStore;
import io.featurepipe.sinks.offline.Publication;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart as a user runs it, on the bundled sample. */
class QuickstartIT {

  @Test
  void runsEndToEndOnTheBundledSample(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("quickstart", "--workdir", dir.toString());
    assertEquals(0, run.exitCode(), run.err() + run.out());
    String out = run.out();
    assertTrue(out.contains("-- 1. plan"), out);
    assertTrue(out.contains("group user_spend  v"), out);
    // the sample manifest: 17,271 valid payments, 49 bad lines; 3,107 logins, 8 bad lines
    assertTrue(out.contains("17,271 records read, 0 outside the range, 49 undecodable"), out);
    assertTrue(out.contains("3,107 records read, 0 outside the range, 8 undecodable"), out);
    assertTrue(out.contains("dead letters in all: 57"), out);

    FeatureRepository repo = RepositoryLoader.load(dir.resolve("feature-defs/payments"));
    OfflineStore store = new OfflineStore(repo, dir.resolve("offline").toString());
    for (String group : repo.groups().keySet()) {
      Matcher m = Pattern.compile("group  " + group + " v\\w+ +([0-9,]+) rows in 14 partitions").matcher(out);
      assertTrue(m.find(), group + "\n" + out);
      long rows = 0;
      for (LocalDate d = LocalDate.of(2026, 1, 1); !d.isAfter(LocalDate.of(2026, 1, 14)); d = d.plusDays(1)) {
        Publication pub = store.publication(group, d);
        assertEquals(pub.rows(), store.rows(group, d).size());
        rows += pub.rows();
      }
      assertEquals(Long.parseLong(m.group(1).replace(",", "")), rows, group);
    }
    Matcher runId = Pattern.compile("backfill 2026-01-01\\.\\.2026-01-14 of .*, run (\\S+), runner").matcher(out);
    assertTrue(runId.find(), out);
    String clean = runId.group(1);
    long deadLines = 0;
    try (Stream<Path> files = Files.walk(dir.resolve("offline/_dead_letters/run-" + clean))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        deadLines += Files.readAllLines(f).stream().filter(l -> l.contains("\"reason\"") && l.contains("\"origin\"")).count();
      }
    }
    assertEquals(57, deadLines);
    assertTrue(out.contains("example offline rows"), out);

    // validation in the backfill: the clean sample passes the gate, with a report
    assertTrue(Files.exists(dir.resolve("offline/_validation/run-" + clean + "/report.html")), out);
    // the corrupted copy of the last day is blocked, naming what is wrong, and publishes nothing
    assertTrue(out.contains("-- 3. quality gate"), out);
    int gate = out.indexOf("-- 3. quality gate");
    String badPart = out.substring(gate, out.indexOf("-- 4. training set"));
    assertTrue(badPart.contains("amount") && badPart.contains("merchant_category"), badPart);
    assertTrue(badPart.contains("user_spend 2026-01-14 is still published by run " + clean), badPart);
    assertTrue(badPart.contains("merchant_risk 2026-01-14 is still published by run " + clean), badPart);
    assertEquals(clean, store.publication("user_spend", LocalDate.of(2026, 1, 14)).runId());

    // the training set: one row per spine row, none rejected, schema and feature list beside it
    assertTrue(out.contains("spine  2,000 rows read, 0 rejected"), out);
    assertTrue(out.contains("training set: 2,000 rows, 52 features"), out);
    assertTrue(Files.exists(dir.resolve("training/training.avsc")));
    assertTrue(Files.exists(dir.resolve("training/features.json")));
    // the label rides along typed as the spine says (bool), every row's: the sample has 96 frauds.
    // Which rows the quickstart shows as examples depends on the output's order, which is no contract.
    assertTrue(out.contains("example training rows"), out);
    assertEquals(Map.of(true, 96L, false, 1904L), labels(dir.resolve("training")).stream()
        .collect(Collectors.partitioningBy(l -> l, Collectors.counting())));

    // online: the last day streamed into the emulator, read back fresh, audited without a mismatch
    assertTrue(out.contains("-- 5. online: the sample's last day"), out);
    assertTrue(out.contains("\"_fresh\":true"), out);
    assertTrue(out.contains("audit passed"), out);
    assertTrue(out.contains("== where everything is =="), out);
  }

  /** The is_fraud label of every row of the training set's Avro files, checked to be a boolean. */
  private static List<Boolean> labels(Path training) throws Exception {
    List<Boolean> labels = new ArrayList<>();
    try (Stream<Path> files = Files.list(training)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".avro")).toList()) {
        try (DataFileReader<GenericRecord> r = new DataFileReader<>(f.toFile(), new GenericDatumReader<>())) {
          for (GenericRecord row : r) {
            Object label = row.get("is_fraud");
            assertTrue(label instanceof Boolean, f + ": is_fraud " + label);
            labels.add((Boolean) label);
          }
        }
      }
    }
    return labels;
  }
}
