package io.featurepipe.sinks.offline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.record.FeatureRow;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline rows' own datum writer writes the bytes a generic datum writer writes for the row's
 * generic record, and their own datum reader reads the rows a generic datum reader's records give,
 * for every group of the sample repository and a group of timestamps (every output
 * type: counts, sums and means, strings, booleans, timestamps, lists; keys of two parts) over random
 * values with nulls and extremes.
 */
class OfflineRecordsTest {

  /** A group and random rows of it. */
  private record Sample(OfflineRecords records, List<FeatureRow> rows) {}

  /** 300 random rows of every group of the sample repository and of a group of timestamps with a two-part key. */
  private static List<Sample> samples(Path dir) throws Exception {
    // the sample repository has no timestamp-valued feature: a group of timestamps and a two-part key beside it
    Files.writeString(dir.resolve("defs.yaml"), """
        kind: source
        name: s
        format: jsonl
        timestamp: ts
        timestamp_format: iso8601
        fields:
          - {name: ts, type: timestamp, required: true}
          - {name: k, type: string, required: true}
          - {name: n, type: int, required: true}
          - {name: seen, type: timestamp}
        bounded: {path: "s/{date}.jsonl"}
        ---
        kind: entity
        name: e
        keys: [{name: k, type: string}, {name: n, type: int}]
        ---
        kind: feature_group
        name: times
        entity: e
        source: s
        keys: {k: k, n: n}
        hop: 1h
        features:
          - {name: last_seen, agg: last, column: seen, window: 1h}
          - {name: recent_seen, agg: last_k(3), column: seen, window: 2h}
        """);
    List<FeatureGroupDef> groups = new ArrayList<>();
    FeatureRepository payments = RepositoryLoader.load(Path.of("../feature-defs/payments"));
    FeatureRepository times = RepositoryLoader.load(dir);
    payments.allGroups().forEach(groups::add);
    groups.add(times.group("times"));
    Random random = new Random(41);
    Set<ColumnType> types = EnumSet.noneOf(ColumnType.class);
    boolean lists = false;
    List<Sample> samples = new ArrayList<>();
    for (FeatureGroupDef group : groups) {
      FeatureRepository repo = group.name().equals("times") ? times : payments;
      EntityDef entity = repo.entity(group.entity());
      for (FeatureDef f : group.features()) {
        types.add(f.outputType().element());
        lists |= f.outputType().list();
      }
      List<FeatureRow> rows = new ArrayList<>();
      for (int n = 0; n < 300; n++) {
        List<Object> key = new ArrayList<>();
        for (Field k : entity.keys()) {
          key.add(OfflineTestValues.scalar(k.type(), random));
        }
        Object[] values = new Object[group.features().size()];
        for (int f = 0; f < values.length; f++) {
          FeatureDef def = group.features().get(f);
          if (random.nextInt(5) == 0) {
            continue; // null
          }
          if (def.outputType().list()) {
            List<Object> list = new ArrayList<>();
            for (int i = random.nextInt(4); i > 0; i--) {
              list.add(OfflineTestValues.scalar(def.outputType().element(), random));
            }
            values[f] = list;
          } else {
            values[f] = OfflineTestValues.scalar(def.outputType().element(), random);
          }
        }
        long windowEnd = 1_767_225_600_000L + random.nextInt(1_000_000) * 3_600_000L;
        rows.add(new FeatureRow(group.name(), group.version(), key, windowEnd, values, false, new BitSet(), false, 0));
      }
      samples.add(new Sample(new OfflineRecords(group, entity), rows));
    }
    assertTrue(lists, "a list feature is written");
    assertEquals(EnumSet.of(ColumnType.INT64, ColumnType.DOUBLE, ColumnType.STRING, ColumnType.BOOL, ColumnType.TIMESTAMP),
        types, "every scalar type is written");
    return samples;
  }

  @Test
  void theRowWriterWritesTheGenericRecordsBytes(@TempDir Path dir) throws Exception {
    int rows = 0;
    for (Sample sample : samples(dir)) {
      OfflineRecords records = sample.records();
      DatumWriter<FeatureRow> direct = records.datumWriter();
      GenericDatumWriter<GenericRecord> generic = new GenericDatumWriter<>(records.schema());
      for (FeatureRow row : sample.rows()) {
        assertArrayEquals(OfflineTestValues.bytes(generic, records.toAvro(row)), OfflineTestValues.bytes(direct, row), row.group() + " row " + rows);
        rows++;
      }
    }
    assertTrue(rows > 1000, rows + " rows");
  }

  /**
   * The row reader gives the rows Avro's generic reader and {@link OfflineRecords#fromAvro} give,
   * for the rows its filter wants, and null for the others, leaving the decoder at the next record
   * either way: for rows in a stream of a group's records, half of them wanted (at random), in the
   * group's schema and in a schema of the same fields in reverse order (read by resolution).
   */
  @Test
  void theRowReaderReadsWhatTheGenericReaderReadsAndSkipsTheRowsNotWanted(@TempDir Path dir) throws Exception {
    Random random = new Random(7);
    int wanted = 0;
    int skipped = 0;
    for (Sample sample : samples(dir)) {
      OfflineRecords records = sample.records();
      List<Schema.Field> reversed = new ArrayList<>();
      List<Schema.Field> fields = records.schema().getFields();
      for (int i = fields.size() - 1; i >= 0; i--) {
        Schema.Field f = fields.get(i);
        reversed.add(new Schema.Field(f.name(), f.schema(), f.doc(), f.defaultVal()));
      }
      Schema other = Schema.createRecord(records.schema().getName(), null, records.schema().getNamespace(), false, reversed);
      for (Schema writer : List.of(records.schema(), other)) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        GenericDatumWriter<GenericRecord> generic = new GenericDatumWriter<>(writer);
        for (FeatureRow row : sample.rows()) {
          GenericRecord inSchema = records.toAvro(row);
          GenericData.Record r = new GenericData.Record(writer);
          fields.forEach(f -> r.put(f.name(), inSchema.get(f.name())));
          generic.write(r, encoder);
        }
        encoder.flush();
        byte[] bytes = out.toByteArray();

        BinaryDecoder expected = DecoderFactory.get().binaryDecoder(bytes, null);
        GenericDatumReader<GenericRecord> reference = new GenericDatumReader<>(writer, records.schema());
        boolean[] wants = new boolean[1];
        List<List<Object>> asked = new ArrayList<>();
        DatumReader<FeatureRow> reader = records.datumReader((key, end) -> {
          asked.add(List.of(key, end));
          return wants[0];
        });
        reader.setSchema(writer);
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(bytes, null);
        for (FeatureRow row : sample.rows()) {
          FeatureRow want = records.fromAvro(reference.read(null, expected));
          wants[0] = random.nextBoolean();
          FeatureRow got = reader.read(null, in);
          assertEquals(List.of(want.key(), want.windowEndMillis()), asked.get(asked.size() - 1),
              "the filter is asked the row's key and window end");
          if (wants[0]) {
            assertEquals(want, got, row.group() + " " + writer.getFields().get(0).name() + " first");
            wanted++;
          } else {
            assertNull(got);
            skipped++;
          }
        }
        assertEquals(sample.rows().size(), asked.size(), "the filter is asked once a row");
        assertTrue(in.isEnd(), "every record read to its end");
      }
    }
    assertTrue(wanted > 1000 && skipped > 1000, wanted + " wanted, " + skipped + " skipped");
  }

  /**
   * A container file written by the offline rows' writer (as a backfill writes its partitions) is
   * read straight from the decoder, not through schema resolution: the schema its header holds
   * equals the group's. Its rows are those written.
   */
  @Test
  void aFileOfTheRowWriterIsReadDirectly(@TempDir Path dir) throws Exception {
    for (Sample sample : samples(dir)) {
      OfflineRecords records = sample.records();
      java.io.File file = dir.resolve(sample.rows().get(0).group() + ".avro").toFile();
      try (DataFileWriter<FeatureRow> w = new DataFileWriter<>(records.datumWriter())) {
        w.setCodec(CodecFactory.snappyCodec());
        w.create(records.schema(), file);
        for (FeatureRow row : sample.rows()) {
          w.append(row);
        }
      }
      OfflineRecords.RowReader reader = (OfflineRecords.RowReader) records.datumReader((key, end) -> true);
      List<FeatureRow> read = new ArrayList<>();
      try (DataFileReader<FeatureRow> r = new DataFileReader<>(file, reader)) {
        r.forEach(read::add);
      }
      assertTrue(reader.readsDirectly(), sample.rows().get(0).group());
      List<FeatureRow> expected = new ArrayList<>();
      try (DataFileReader<GenericRecord> r = new DataFileReader<>(file, new GenericDatumReader<>(null, records.schema()))) {
        r.forEach(g -> expected.add(records.fromAvro(g)));
      }
      assertEquals(expected, read);
      assertEquals(sample.rows().size(), read.size());
    }
  }

  /** A string's negative length in a row not wanted fails the read, as it does when the row is decoded. */
  @Test
  void aCorruptStringFailsTheReadOfARowNotWanted(@TempDir Path dir) throws Exception {
    for (Sample sample : samples(dir)) {
      OfflineRecords records = sample.records();
      FeatureRow template = sample.rows().get(0);
      FeatureGroupDef group = null;
      int string = -1;
      for (int f = 0; f < template.values().length && string < 0; f++) {
        if (records.schema().getFields().get(template.key().size() + 1 + f).schema().getTypes().get(1).getType()
            == Schema.Type.STRING) {
          string = f;
        }
      }
      if (string < 0) {
        continue;
      }
      Object[] values = new Object[template.values().length];
      values[string] = "zzz";
      FeatureRow row = new FeatureRow(template.group(), template.version(), template.key(), template.windowEndMillis(),
          values, false, new BitSet(), false, 0);
      byte[] bytes = OfflineTestValues.bytes(records.datumWriter(), row);
      // the value's bytes: branch 1 (2), length 3 (6), "zzz"; a length of -3 (5) instead
      int at = -1;
      for (int i = bytes.length - 5; i >= 0 && at < 0; i--) {
        if (bytes[i] == 2 && bytes[i + 1] == 6 && bytes[i + 2] == 'z' && bytes[i + 3] == 'z' && bytes[i + 4] == 'z') {
          at = i + 1;
        }
      }
      assertTrue(at > 0);
      bytes[at] = 5;
      for (boolean wanted : new boolean[] {true, false}) {
        DatumReader<FeatureRow> reader = records.datumReader((k, e) -> wanted);
        reader.setSchema(records.schema());
        byte[] corrupt = bytes;
        Exception e = assertThrows(Exception.class,
            () -> reader.read(null, DecoderFactory.get().binaryDecoder(corrupt, null)), "wanted: " + wanted);
        assertTrue(String.valueOf(e.getMessage()).contains("negative"), e.toString());
      }
      return;
    }
    throw new AssertionError("no group of the sample has a string feature");
  }

  @Test
  void aValueOfTheWrongTypeFailsNamingTheField() throws Exception {
    FeatureRepository repo = RepositoryLoader.load(Path.of("../feature-defs/payments"));
    FeatureGroupDef group = repo.allGroups().iterator().next();
    OfflineRecords records = new OfflineRecords(group, repo.entity(group.entity()));
    Object[] values = new Object[group.features().size()];
    values[0] = new Object(); // no offline type holds it
    List<Object> key = new ArrayList<>();
    repo.entity(group.entity()).keys().forEach(k -> key.add(k.type() == ColumnType.STRING ? "k" : 1L));
    FeatureRow row = new FeatureRow(group.name(), group.version(), key, 0L, values, false, new BitSet(), false, 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OfflineTestValues.bytes(records.datumWriter(), row));
    assertTrue(e.getMessage().contains("field '" + group.features().get(0).name() + "'"), e.getMessage());
  }
}
