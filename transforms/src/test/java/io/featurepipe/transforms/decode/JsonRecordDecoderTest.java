package io.featurepipe.transforms.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.record.SourceRecord;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * JSON lines decode by the declared types: the values and the reasons for every kind of JSON value
 * in a declared field, undeclared fields of any shape ignored, and malformed lines.
 */
class JsonRecordDecoderTest {
  private static final String TS = "\"ts\":\"2026-01-01T00:00:00.5Z\"";
  private static final long TS_NANOS = 1_767_225_600_500_000_000L;

  private static RecordDecoder decoder() throws Exception {
    return new RecordDecoder(SchemaEvolutionTest.source(AvroRecordDecoderTest.FIELDS));
  }

  private static Object[] values(String line) throws Exception {
    return decoder().fromJson(line, "f:1").values();
  }

  private static String reason(String line) throws Exception {
    RecordDecoder d = decoder();
    return assertThrows(BadRecordException.class, () -> d.fromJson(line, "f:1")).getMessage();
  }

  @Test
  void declaredFieldsDecodeAndUndeclaredOnesOfAnyShapeAreSkipped() throws Exception {
    SourceRecord r =
        decoder()
            .fromJson(
                "{\"skip\":{\"a\":[1,{\"b\":\"}\"}],\"c\":null}," + TS + ",\"user\":\"ü\",\"n\":7,"
                    + "\"more\":[[],{}],\"x\":2.5,\"ok\":true,\"seen\":\"2026-01-01T00:00:00Z\"}",
                "f:1");
    assertEquals(TS_NANOS, r.eventTimeNanos());
    assertArrayEquals(new Object[] {TS_NANOS, "ü", 7L, 2.5, true, 1_767_225_600_000_000_000L}, r.values());
    assertEquals("f:1", r.origin());
  }

  @Test
  void textAndNumbersConvertByTheDeclaredType() throws Exception {
    assertArrayEquals(
        new Object[] {TS_NANOS, "u", 7L, Double.NaN, true, null},
        values("{" + TS + ",\"user\":\"u\",\"n\":\"7\",\"x\":\"NaN\",\"ok\":\"TRUE\",\"seen\":null}"));
    // an integer where a double is declared; a long past int's range
    assertArrayEquals(
        new Object[] {TS_NANOS, "u", 9_000_000_000L, 2.0, false, null},
        values("{" + TS + ",\"user\":\"u\",\"n\":9000000000,\"x\":2,\"ok\":false}"));
  }

  /**
   * Names match exactly: a line naming a declared field in another case only is a dead letter
   * saying so (its value would silently read as null), in JSON lines and in a CSV header; with the
   * field also named exactly, the other one is just an undeclared field.
   */
  @Test
  void aFieldNamedInAnotherCaseOnlyIsRefused() throws Exception {
    assertEquals("field 'n' is absent from the data, which has field 'N' instead: names match exactly, case included"
        + " (rename one of them), else every value of 'n' would read as null",
        reason("{" + TS + ",\"user\":\"u\",\"N\":7}"));
    assertEquals(7L, values("{" + TS + ",\"user\":\"u\",\"N\":8,\"n\":7}")[2]);
    assertEquals(null, values("{" + TS + ",\"user\":\"u\",\"n\":null,\"N\":8}")[2]);
    RecordDecoder d = decoder();
    String csv = assertThrows(BadRecordException.class,
        () -> d.fromCsv("2026-01-01T00:00:00Z,u,7", List.of("ts", "user", "N"), "f.csv:2")).getMessage();
    assertTrue(csv.startsWith("field 'n' is absent from the data, which has column 'N' instead"), csv);
    assertEquals(7L, d.fromCsv("2026-01-01T00:00:00Z,u,8,7", List.of("ts", "user", "N", "n"), "f.csv:2").values()[2]);
  }

  @Test
  void aFieldGivenTwiceCountsByItsLastValue() throws Exception {
    assertEquals(2L, values("{" + TS + ",\"user\":\"u\",\"n\":\"bad\",\"n\":2}")[2]);
    assertEquals(null, values("{" + TS + ",\"user\":\"u\",\"n\":2,\"n\":null}")[2]);
  }

  @Test
  void wrongValuesAreNamedWithTheirJsonText() throws Exception {
    assertEquals("field 'n' is '1.5', not an integer", reason("{" + TS + ",\"user\":\"u\",\"n\":1.5}"));
    String big = new BigInteger("123456789012345678901234").toString();
    assertEquals("field 'n' is '" + big + "', not an integer", reason("{" + TS + ",\"user\":\"u\",\"n\":" + big + "}"));
    assertEquals("field 'user' is '{\"a\":[1]}', not a string", reason("{" + TS + ",\"user\":{\"a\":[1]}}"));
    assertEquals("field 'user' is '[\"a\"]', not a string", reason("{" + TS + ",\"user\":[\"a\"]}"));
    assertEquals("field 'user' is '3', not a string", reason("{" + TS + ",\"user\":3}"));
    assertEquals("field 'x' is 'true', not a number", reason("{" + TS + ",\"user\":\"u\",\"x\":true}"));
    assertEquals("field 'ok' is '1', not a boolean", reason("{" + TS + ",\"user\":\"u\",\"ok\":1}"));
    assertEquals("required field 'user' is missing", reason("{" + TS + ",\"user\":null}"));
    assertEquals("required field 'ts' is missing", reason("{\"user\":\"u\"}"));
  }

  /**
   * A declared string holding an unpaired surrogate (a lone JSON escape) is refused: Avro's UTF-8
   * would store it as '?' offline while the online store keeps it, so the stores would disagree.
   * Whatever way the string arrives (JSON, CSV text, a source's values), the reason shows it escaped.
   */
  @Test
  void stringsWithUnpairedSurrogatesAreRefusedAndShownEscaped() throws Exception {
    String tail = ", which holds an unpaired surrogate (\\ud800 at character 2): not Unicode text,"
        + " which featurepipe stores as UTF-8";
    assertEquals("field 'user' is 'a\\ud800b'" + tail, reason("{" + TS + ",\"user\":\"a\\ud800b\"}"));
    assertEquals("field 'user' is '\\ude00\\ud83d'" + tail.replace("ud800", "ude00").replace("character 2", "character 1"),
        reason("{" + TS + ",\"user\":\"\\ude00\\ud83d\"}"));
    assertTrue(reason("{" + TS + ",\"user\":\"ab\\ud83d\"}").contains("(\\ud83d at character 3)"));
    // a pair is one character: the lone surrogate after it is the second
    assertTrue(reason("{" + TS + ",\"user\":\"\\ud83d\\ude00\\udc00\"}")
        .contains("is '\ud83d\ude00\\udc00', which holds an unpaired surrogate (\\udc00 at character 2)"));
    // a pair is one character; a lone surrogate in an undeclared field is skipped with the field
    assertEquals("\ud83d\ude00", values("{" + TS + ",\"user\":\"\\ud83d\\ude00\",\"skip\":\"\\ud800\"}")[1]);
    // in another type's text: named as that type's problem, escaped all the same
    assertEquals("field 'n' is '\\udfff', not an integer", reason("{" + TS + ",\"user\":\"u\",\"n\":\"\\udfff\"}"));
    RecordDecoder d = decoder();
    String csv = assertThrows(BadRecordException.class,
        () -> d.fromCsv("2026-01-01T00:00:00Z,a\ud800b", List.of("ts", "user"), "f.csv:2")).getMessage();
    assertEquals("field 'user' is 'a\\ud800b'" + tail, csv);
    String given = assertThrows(BadRecordException.class,
        () -> d.fromValues(java.util.Map.of("ts", java.time.Instant.EPOCH, "user", "a\ud800b"), "f.avro:1")).getMessage();
    assertEquals("field 'user' is 'a\\ud800b'" + tail, given);
    // a value of another class in a string field is read as its text, and checked as such
    String listed = assertThrows(BadRecordException.class,
        () -> d.fromValues(java.util.Map.of("ts", java.time.Instant.EPOCH, "user", List.of("a\ud800b")), "f.avro:1")).getMessage();
    assertTrue(listed.startsWith("field 'user' is '[a\\ud800b]', which holds an unpaired surrogate"), listed);
    assertEquals("field 'ts': '\\ud800' is not a iso8601 timestamp", reason("{\"ts\":\"\\ud800\",\"user\":\"u\"}"));
    // a long value is cut in the reason, its surrogates escaped
    String longReason = reason("{" + TS + ",\"user\":\"" + "x".repeat(100) + "\\ud800\"}");
    assertTrue(longReason.startsWith("field 'user' is '" + "x".repeat(77) + "...', which holds an unpaired surrogate"
        + " (\\ud800 at character 101)"), longReason);
  }

  /**
   * A JDBC row's dead letter is JSON written from the row's strings, which a UTF-16 database may
   * give with unpaired surrogates: written with them escaped, the text reads back as the same
   * strings (so a replay refuses them again) and holds no surrogate a UTF-8 file would turn to '?'.
   */
  @Test
  void jsonWithSurrogatesEscapedReadsBackAsTheSameStrings() throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode o = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
    o.put("user", "a\ud800b\ud83d\ude00\udfff");
    o.put("n\udc00", "\u00fc");
    String json = RecordDecoder.withSurrogatesEscaped(o.toString());
    assertEquals(-1, io.featurepipe.transforms.record.Wtf8.unpairedSurrogate(json));
    assertTrue(json.chars().noneMatch(c -> Character.isSurrogate((char) c)), json);
    assertEquals(o, RecordDecoder.objectOfLine(json));
    String plain = "{\"user\":\"\u00fc\"}";
    assertTrue(plain == RecordDecoder.withSurrogatesEscaped(plain), "text without surrogates is returned as it is");
  }

  @Test
  void linesThatAreNoJsonObjectAreRefused() throws Exception {
    for (String line : new String[] {"[1,2]", "\"x\"", "null", "7"}) {
      assertEquals("not a JSON object", reason(line), line);
    }
    // cut off, malformed, or more after the object (two records run together, a stray character)
    String valid = "{" + TS + ",\"user\":\"u\"}";
    for (String line : new String[] {
        "{" + TS + ",\"user\":\"u\"", "{" + TS + ",\"user\":", "{\"skip\":[1,2", "{x}", valid + valid, valid + " x"}) {
      assertTrue(reason(line).startsWith("not valid JSON: "), line + ": " + reason(line));
    }
    assertEquals("not valid JSON: more after the object", reason(valid + valid));
    assertEquals("u", values(valid + " \t\r")[1]);
  }

  /**
   * {@code fromJson} reads a line as a stream of tokens; {@code fromJsonTree} reads it as a whole
   * tree, the straightforward way. On random lines (declared and undeclared fields of every JSON
   * shape, fields given twice, numbers at the edges of int, long and double, then cut, with a
   * character put in, or with more after the object) both give the same values or the same reason.
   */
  @Test
  void theStreamReadingAgreesWithTheTreeReadingOnRandomLines() throws Exception {
    RecordDecoder d = decoder();
    Random random = new Random(20261203);
    int refused = 0;
    for (int n = 0; n < 20_000; n++) {
      String line = mangle(randomObject(random), random);
      String stream = outcome(() -> d.fromJson(line, "f:1"));
      String tree = outcome(() -> d.fromJsonTree(line, "f:1"));
      assertEquals(tree, stream, line);
      refused += tree.startsWith("refused") ? 1 : 0;
    }
    assertTrue(refused > 2_000 && refused < 18_000, "refused " + refused); // both outcomes well covered
  }

  /**
   * Lines past the random ones' reach agree too: Jackson's limits (a string over 20,000,000
   * characters, nesting deeper than 1,000, a number of more than 1,000 digits) in declared and
   * undeclared fields, a line longer than the parser's buffer, escaped names, line breaks and tabs
   * between tokens, a byte order mark.
   */
  @Test
  void theStreamReadingAgreesWithTheTreeReadingAtJacksonsLimits() throws Exception {
    RecordDecoder d = decoder();
    String head = "{" + TS + ",\"user\":\"u\",";
    List<String> lines = new ArrayList<>();
    for (String field : new String[] {"skip", "user"}) {
      lines.add(head + "\"" + field + "\":\"" + "a".repeat(20_000_001) + "\"}");
      lines.add(head + "\"" + field + "\":[\"" + "a".repeat(20_000_001) + "\"]}");
      lines.add(head + "\"" + field + "\":\"" + "é".repeat(40_000) + "\"}");
      lines.add(head + "\"" + field + "\":" + "[".repeat(999) + "]".repeat(999) + "}");
      lines.add(head + "\"" + field + "\":" + "[".repeat(1_001) + "]".repeat(1_001) + "}");
      lines.add(head + "\"" + field + "\":" + "{\"a\":".repeat(1_001) + "1" + "}".repeat(1_001) + "}");
      lines.add(head + "\"" + field + "\":" + "9".repeat(1_001) + "}");
      lines.add(head + "\"" + field + "\":" + "9".repeat(1_000) + "}");
      lines.add(head + "\"" + field + "\":0." + "5".repeat(1_001) + "}");
    }
    lines.add("{\"\\u0074s\":\"2026-01-01T00:00:00Z\",\"us\\u0065r\":\"u\"}");
    lines.add("{\r\n\t" + TS + "\r\n,\t\"user\"\t:\r\n\"u\"\r\n}");
    lines.add("\uFEFF{" + TS + ",\"user\":\"u\"}");
    int decoded = 0;
    for (String line : lines) {
      String tree = outcome(() -> d.fromJsonTree(line, "f:1"));
      assertEquals(tree, outcome(() -> d.fromJson(line, "f:1")), line.length() > 200 ? line.substring(0, 200) : line);
      decoded += tree.startsWith("decoded") ? 1 : 0;
    }
    assertTrue(decoded >= 5 && decoded <= lines.size() - 8, "decoded " + decoded);
  }

  private interface Decode {
    SourceRecord decode() throws BadRecordException;
  }

  private static String outcome(Decode decode) {
    try {
      SourceRecord r = decode.decode();
      return "decoded " + Arrays.deepToString(r.values()) + " at " + r.eventTimeNanos() + " from " + r.origin();
    } catch (BadRecordException e) {
      return "refused: " + e.getMessage();
    }
  }

  private static final String[] NAMES = {"ts", "user", "n", "x", "ok", "seen", "skip", "more", "\\u0075ser", "üser", "N", "sEEn"}; // a JSON escape of "user"; declared names in another case
  private static final String[] SCALARS = {
    "\"2026-01-01T00:00:00.5Z\"", "\"u\"", "\"\"", "\"\\u00fc\\\"q\"", "\"7\"", "\" 7 \"", "\"NaN\"",
    "\"-Infinity\"", "\"TRUE\"", "\"nope\"", "0", "-0", "7", "-12", "2147483647", "2147483648",
    "-2147483649", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
    "123456789012345678901234", "1767225600500", "2.5", "-0.0", "1e3", "1E-3", "1.5e400", "-1e-400",
    "0.1", "12345678901234567890.5", "true", "false", "null"
  };

  /** A JSON object of 0-8 fields drawn from declared and undeclared names, values of any shape. */
  private static String randomObject(Random random) {
    StringBuilder b = new StringBuilder("{");
    int fields = random.nextInt(9);
    if (random.nextInt(4) > 0) { // most lines have the required fields, so many decode
      b.append("\"ts\":").append(SCALARS[random.nextInt(3) == 0 ? random.nextInt(SCALARS.length) : 0]);
      b.append(",\"user\":\"u\"").append(fields > 0 ? "," : "");
    }
    for (int i = 0; i < fields; i++) {
      b.append(i > 0 ? "," : "").append(random.nextBoolean() ? " " : "");
      int name = random.nextInt(NAMES.length);
      b.append('"').append(NAMES[name]).append("\":");
      boolean fitting = name < FITTING.length && random.nextInt(3) > 0;
      b.append(fitting ? FITTING[name][random.nextInt(FITTING[name].length)] : randomValue(random, 0));
    }
    return b.append('}').toString();
  }

  /** Values of each declared field's type (ts, user, n, x, ok, seen), so that many lines decode. */
  private static final String[][] FITTING = {
    {"\"2026-01-01T00:00:00.5Z\"", "1767225600500", "null"},
    {"\"u\"", "\"\\u00fc\"", "\"\""},
    {"7", "-9223372036854775808", "\"12\"", "null"},
    {"2.5", "-0.0", "1e400", "3", "\"NaN\"", "12345678901234567890123"},
    {"true", "false", "\"False\""},
    {"\"2026-01-01T00:00:00Z\"", "0", "null"}
  };

  private static String randomValue(Random random, int depth) {
    int kind = random.nextInt(depth < 3 ? 10 : 8);
    if (kind < 8) {
      return SCALARS[random.nextInt(SCALARS.length)];
    }
    StringBuilder b = new StringBuilder(kind == 8 ? "[" : "{");
    int items = random.nextInt(4);
    for (int i = 0; i < items; i++) {
      b.append(i > 0 ? "," : "");
      if (kind == 9) {
        b.append('"').append(NAMES[random.nextInt(NAMES.length)]).append("\":");
      }
      b.append(randomValue(random, depth + 1));
    }
    return b.append(kind == 8 ? "]" : "}").toString();
  }

  /** Most lines as they are; others cut, with a character put in, with more after them, or no object. */
  private static String mangle(String line, Random random) {
    switch (random.nextInt(10)) {
      case 0:
        return line.substring(0, random.nextInt(line.length()));
      case 1:
        int at = random.nextInt(line.length() + 1);
        String put = "{}[],:\"x 1\\";
        return line.substring(0, at) + put.charAt(random.nextInt(put.length())) + line.substring(at);
      case 2:
        return line + new String[] {"{}", " x", "}", "]", " \t", ",", "null", "\n{}"}[random.nextInt(8)];
      case 3:
        return new String[] {"", " ", "[" + line + "]", "7", "null", "\"x\"", "{", "}"}[random.nextInt(8)];
      default:
        return line;
    }
  }
}
