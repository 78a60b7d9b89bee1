package io.featurepipe.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.testing.Collected;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Files in, typed records out; every bad line becomes a dead letter naming file, line and field. */
class ReadSourceFilesTest {

  @RegisterExtension final transient TestPipelineExtension pipeline = TestPipelineExtension.create();

  private static final String DEFS =
      """
      kind: source
      name: pay
      format: jsonl
      timestamp: ts
      timestamp_format: iso8601
      fields:
        - {name: ts, type: timestamp, required: true}
        - {name: user, type: string, required: true}
        - {name: amount, type: double}
        - {name: n, type: int}
      bounded: {path: "pay/{date}.jsonl*"}
      ---
      kind: source
      name: logins
      format: csv
      timestamp: ts
      timestamp_format: epoch_millis
      fields:
        - {name: ts, type: timestamp, required: true}
        - {name: user, type: string}
        - {name: ok, type: bool}
      bounded: {path: "logins/*.csv"}
      """;

  @Test
  void decodesGoodLinesAndSendsEachBadLineToDeadLettersWithFileLineAndReason(
      TestPipeline p, @TempDir Path dir) throws Exception {
    FeatureRepository repo = RepositoryLoader.load(Map.of("d.yaml", DEFS));
    Files.createDirectories(dir.resolve("pay"));
    Files.writeString(
        dir.resolve("pay/2026-01-01.jsonl"),
        String.join(
            "\n",
            "{\"ts\":\"2026-01-01T10:00:00.123456Z\",\"user\":\"a\",\"amount\":1.5,\"n\":2,\"extra\":true}",
            "{\"ts\":\"2026-01-01T11:00:00Z\",\"user\":\"b\",\"amount\":\"abc\"}",
            "{\"ts\":\"2026-01-01T11:00:00Z\",\"user\":\"b\",\"amount\":null,\"n\":\"7\"}",
            "",
            "{\"ts\":\"2026-01-01T12:00:00Z\",\"user\":\"c\",\"amount\":",
            "{\"user\":\"d\"}"));
    try (OutputStream out =
        new GZIPOutputStream(Files.newOutputStream(dir.resolve("pay/2026-01-02.jsonl.gz")))) {
      out.write(
          ("{\"ts\":\"2026-01-02T00:00:00+01:00\",\"user\":\"e\",\"n\":1.5}\n"
                  + "{\"ts\":\"not a time\",\"user\":\"e\"}\n"
                  + "{\"ts\":\"2026-01-02T09:30:00Z\",\"user\":\"e\",\"amount\":-0.0}\n"
                  + "{\"ts\":\"2026-01-02T09:31:00Z\",\"user\":\"f\\ud800\"}\n")
              .getBytes(StandardCharsets.UTF_8));
    }
    Files.writeString(dir.resolve("pay/2026-01-03.jsonl"), "{\"ts\":\"2026-01-03T00:00:00Z\",\"user\":\"outside\"}\n");
    Files.createDirectories(dir.resolve("logins"));
    Files.writeString(
        dir.resolve("logins/a.csv"),
        "user,ts,ok\nx,1767225600000,true\n\"y, z\",1767225601000,FALSE\nq,1767225602000\nw,yesterday,true\n");

    SourceDef pay = repo.source("pay");
    SourceDef logins = repo.source("logins");
    String box = "read-" + System.nanoTime();
    PCollectionTuple payRead =
        p.apply("ReadPay", new ReadSourceFiles(pay, SourcePaths.patterns(pay, dir.toString(), LocalDate.parse("2026-01-01"), LocalDate.parse("2026-01-02"))));
    PCollectionTuple loginRead =
        p.apply("ReadLogins", new ReadSourceFiles(logins, SourcePaths.patterns(logins, dir.toString(), null, null)));
    payRead.get(ReadSourceFiles.RECORDS).apply("C1", Collected.into(box + "/pay"));
    payRead.get(ReadSourceFiles.DEAD_LETTERS).apply("C2", Collected.into(box + "/payDead"));
    loginRead.get(ReadSourceFiles.RECORDS).apply("C3", Collected.into(box + "/logins"));
    loginRead.get(ReadSourceFiles.DEAD_LETTERS).apply("C4", Collected.into(box + "/loginsDead"));
    p.run().waitUntilFinish();

    Map<String, String> payRecords = new TreeMap<>();
    for (SourceRecord r : Collected.<SourceRecord>get(box + "/pay")) {
      payRecords.put(r.origin().replaceAll(".*/", ""), java.util.Arrays.deepToString(r.values()));
    }
    assertEquals(
        Map.of(
            "2026-01-01.jsonl:1", "[1767261600123456000, a, 1.5, 2]",
            "2026-01-01.jsonl:3", "[1767265200000000000, b, null, 7]",
            "2026-01-02.jsonl.gz:3", "[1767346200000000000, e, -0.0, null]"),
        payRecords);

    Map<String, DeadLetter> payDead = new TreeMap<>();
    for (DeadLetter d : Collected.<DeadLetter>get(box + "/payDead")) {
      payDead.put(d.origin().replaceAll(".*/", ""), d);
      assertEquals("pay", d.source());
      assertEquals("ReadSourceFiles/pay", d.step());
    }
    assertEquals(6, payDead.size(), payDead.keySet().toString());
    assertEquals("field 'amount' is 'abc', not a number", payDead.get("2026-01-01.jsonl:2").reason());
    assertTrue(payDead.get("2026-01-01.jsonl:5").reason().startsWith("not valid JSON"));
    assertEquals("required field 'ts' is missing", payDead.get("2026-01-01.jsonl:6").reason());
    assertEquals("field 'n' is '1.5', not an integer", payDead.get("2026-01-02.jsonl.gz:1").reason());
    assertTrue(payDead.get("2026-01-02.jsonl.gz:2").reason().contains("'not a time' is not a iso8601 timestamp"));
    assertEquals("{\"user\":\"d\"}", payDead.get("2026-01-01.jsonl:6").payload());
    // a lone surrogate escape: refused with the raw line kept as it was written
    assertTrue(payDead.get("2026-01-02.jsonl.gz:4").reason().startsWith(
        "field 'user' is 'f\\ud800', which holds an unpaired surrogate (\\ud800 at character 2)"));
    assertEquals("{\"ts\":\"2026-01-02T09:31:00Z\",\"user\":\"f\\ud800\"}", payDead.get("2026-01-02.jsonl.gz:4").payload());

    List<SourceRecord> loginRecords = Collected.get(box + "/logins");
    assertEquals(2, loginRecords.size());
    assertTrue(loginRecords.stream().anyMatch(r -> "y, z".equals(r.value(1)) && Boolean.FALSE.equals(r.value(2))));
    Map<String, String> loginDead = new TreeMap<>();
    for (DeadLetter d : Collected.<DeadLetter>get(box + "/loginsDead")) {
      loginDead.put(d.origin().replaceAll(".*/", ""), d.reason());
    }
    assertEquals(
        Map.of(
            "a.csv:4", "has 2 columns where the header has 3",
            "a.csv:5", "field 'ts': 'yesterday' is not an integer epoch timestamp"),
        loginDead);
  }
}
