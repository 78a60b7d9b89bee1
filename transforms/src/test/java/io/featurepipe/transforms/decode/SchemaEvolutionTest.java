package io.featurepipe.transforms.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.SourceDef;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Files and definition versions: compatible evolution passes, every incompatible change is named. */
class SchemaEvolutionTest {

  static SourceDef source(String fields) throws Exception {
    return source(fields, "iso8601");
  }

  static SourceDef source(String fields, String timestampFormat) throws Exception {
    String yaml =
        "kind: source\nname: clicks\nformat: avro\ntimestamp: ts\ntimestamp_format: "
            + timestampFormat + "\nfields:\n" + fields + "bounded: {path: \"clicks/*.avro\"}\n";
    return RepositoryLoader.load(Map.of("s.yaml", yaml)).source("clicks");
  }

  static final String V1 =
      "  - {name: ts, type: timestamp}\n"
          + "  - {name: user, type: string, required: true}\n"
          + "  - {name: n, type: int}\n";

  static Schema writer(String fieldsJson) {
    return new Schema.Parser()
        .parse("{\"type\":\"record\",\"name\":\"Click\",\"namespace\":\"x\",\"fields\":[" + fieldsJson + "]}");
  }

  static final String TS_MICROS = "{\"name\":\"ts\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}}";

  @Test
  void filesWrittenWithOlderOrWiderSchemasAreReadable() throws Exception {
    SourceDef def = source(V1 + "  - {name: added, type: double}\n");
    // the file lacks the new optional field, has an extra one, an int where the definition reads long,
    // a nullable string the definition reads as optional string, and an ISO text timestamp
    Schema w =
        writer("{\"name\":\"ts\",\"type\":\"string\"},{\"name\":\"user\",\"type\":\"string\"},"
            + "{\"name\":\"n\",\"type\":[\"null\",\"int\"]},{\"name\":\"extra\",\"type\":\"boolean\"}");
    assertEquals(List.of(), SchemaEvolution.problems(def, w));
    SchemaEvolution.requireReadable(def, w, "f.avro");
  }

  @Test
  void incompatibleFilesAreRefusedNamingFieldOldTypeAndNewType() throws Exception {
    SourceDef def = source(V1 + "  - {name: country, type: string, required: true}\n");
    Schema w =
        writer(TS_MICROS + ",{\"name\":\"user\",\"type\":[\"null\",\"string\"]},"
            + "{\"name\":\"n\",\"type\":\"string\"}");
    SchemaEvolution.IncompatibleSchemaException e =
        assertThrows(
            SchemaEvolution.IncompatibleSchemaException.class,
            () -> SchemaEvolution.requireReadable(def, w, "clicks/a.avro"));
    assertTrue(e.getMessage().startsWith("source 'clicks': clicks/a.avro was written with"), e.getMessage());
    assertTrue(e.getMessage().contains(
        "field 'user' may be null in the data ([null,string]) but is required by the definition (string)"), e.getMessage());
    assertTrue(e.getMessage().contains(
        "field 'n' changed type: written as string, read as [null,long]"), e.getMessage());
    assertTrue(e.getMessage().contains(
        "field 'country' (string) is required by the definition but absent from the data"), e.getMessage());
    assertEquals(3, e.changes().size());
  }

  /**
   * Names match exactly: a field the data names in another case only is refused, optional or not
   * (read as named, its every value would be null), with the name the data has; an extra field that
   * differs in case from one the data also has exactly is no problem.
   */
  @Test
  void aFieldTheDataNamesInAnotherCaseOnlyIsRefused() throws Exception {
    SourceDef def = source(V1);
    Schema w = writer(TS_MICROS + ",{\"name\":\"User\",\"type\":\"string\"},{\"name\":\"N\",\"type\":\"int\"}");
    List<SchemaEvolution.Change> problems = SchemaEvolution.problems(def, w);
    assertEquals(List.of("user", "n"), problems.stream().map(SchemaEvolution.Change::field).toList());
    assertEquals("field 'user' is absent from the data, which has field 'User' instead: names match exactly, case"
        + " included (rename one of them), else every value of 'user' would read as null", problems.get(0).message());
    assertTrue(problems.get(1).message().startsWith("field 'n' is absent from the data, which has field 'N' instead"),
        problems.get(1).message());
    Schema both = writer(TS_MICROS + ",{\"name\":\"user\",\"type\":\"string\"},{\"name\":\"USER\",\"type\":\"int\"}");
    assertEquals(List.of(), SchemaEvolution.problems(def, both));
  }

  @Test
  void aPlainLongTimestampNeedsALogicalTypeOrAnEpochFormat() throws Exception {
    Schema w = writer("{\"name\":\"ts\",\"type\":\"long\"},{\"name\":\"user\",\"type\":\"string\"}");
    List<SchemaEvolution.Change> iso = SchemaEvolution.problems(source(V1), w);
    assertEquals(1, iso.size());
    assertTrue(iso.get(0).message().contains("field 'ts' is a plain long in the data"), iso.toString());
    assertEquals(List.of(), SchemaEvolution.problems(source(V1, "epoch_millis"), w));
  }

  @Test
  void aDateOrATimeOfDayIsNoTimestampWhateverTheFormat() throws Exception {
    for (String logical : new String[] {"\"int\",\"logicalType\":\"date\"", "\"int\",\"logicalType\":\"time-millis\"",
        "\"long\",\"logicalType\":\"time-micros\""}) {
      Schema w = writer("{\"name\":\"ts\",\"type\":{\"type\":" + logical + "}},{\"name\":\"user\",\"type\":\"string\"}");
      List<SchemaEvolution.Change> problems = SchemaEvolution.problems(source(V1, "epoch_seconds"), w);
      assertEquals(1, problems.size(), logical);
      assertTrue(problems.get(0).message().endsWith("in the data, not an instant: it cannot be read as a timestamp"), problems.toString());
    }
    Schema micros = writer("{\"name\":\"ts\",\"type\":{\"type\":\"long\",\"logicalType\":\"local-timestamp-micros\"}},"
        + "{\"name\":\"user\",\"type\":\"string\"}");
    assertEquals(List.of(), SchemaEvolution.problems(source(V1), micros));
  }

  @Test
  void comparingDefinitionVersionsNamesEveryChange() throws Exception {
    SourceDef v1 = source(V1 + "  - {name: old, type: string}\n  - {name: amount, type: int}\n");
    SourceDef compatible =
        source(
            "  - {name: ts, type: timestamp}\n  - {name: user, type: string}\n  - {name: n, type: int}\n"
                + "  - {name: amount, type: double}\n  - {name: added, type: bool}\n");
    SchemaEvolution.Report ok = SchemaEvolution.compare(v1, compatible);
    assertTrue(ok.compatible(), ok.describe());
    assertEquals(
        List.of(
            "field 'user' is now optional",
            "field 'amount' widened from int to double",
            "added optional field 'added' (bool)",
            "removed field 'old' (string): it is no longer read"),
        ok.changes().stream().map(SchemaEvolution.Change::message).toList());

    SourceDef broken =
        source(
            "  - {name: ts, type: timestamp}\n  - {name: user, type: string, required: true}\n"
                + "  - {name: n, type: string}\n  - {name: old, type: string, required: true}\n"
                + "  - {name: amount, type: timestamp}\n  - {name: must, type: double, required: true}\n",
            "epoch_millis");
    SchemaEvolution.Report bad = SchemaEvolution.compare(v1, broken);
    assertFalse(bad.compatible());
    List<String> messages = bad.incompatible().stream().map(SchemaEvolution.Change::message).toList();
    assertEquals(5, messages.size(), bad.describe());
    assertTrue(messages.get(0).startsWith("timestamp_format changed from iso8601 to epoch_millis"), messages.get(0));
    assertTrue(messages.contains("field 'n' changed type: written as [null,long], read as [null,string]"), bad.describe());
    assertTrue(messages.contains("field 'old' may be null in the data ([null,string]) but is required by the definition (string)"), bad.describe());
    assertTrue(messages.contains("field 'amount' changed type: written as int, read as timestamp"), bad.describe());
    assertTrue(messages.stream().anyMatch(m -> m.startsWith("field 'must' (double) is required by the definition but absent")), bad.describe());
    assertEquals(bad.changes().get(0).field(), null);
  }
}
