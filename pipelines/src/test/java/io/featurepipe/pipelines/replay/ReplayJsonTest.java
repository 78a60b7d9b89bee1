package io.featurepipe.pipelines.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.sinks.deadletter.WriteDeadLetters;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a replay reads as JSON, a dead-letter file's lines and a record's payload, is one JSON
 * object per line or payload: two run together (a hand edit) are refused, never read as the first
 * alone with the second lost.
 */
class ReplayJsonTest {
  static final String RECORD = ReplayKafkaIT.VALID.formatted("t-1", "12.5");

  @Test
  void aDeadLetterFileLineHoldingTwoLettersFailsNamingIt(@TempDir Path dir) throws Exception {
    String letter = WriteDeadLetters.toJson(new DeadLetter("payments", "Validate/payments", "amount < 0", RECORD, "a.jsonl:3"));
    Path file = dir.resolve("dead-letters.jsonl");
    Files.writeString(file, letter + "\n" + letter + letter + "\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DeadLetterFiles.read(List.of(file.toString())));
    assertEquals(file + ":2: not a dead letter (not valid JSON: more after the object)", e.getMessage());

    Files.writeString(file, letter + "\n\n" + letter + " \n");
    List<DeadLetterFiles.Entry> read = DeadLetterFiles.read(List.of(file.toString()));
    assertEquals(2, read.size(), "spaces after a letter are no second letter");
    assertEquals(3, read.get(1).line());
  }

  @Test
  void aRecordPayloadHoldingTwoRecordsFailsToDecode() throws Exception {
    ReplayDecoder d = new ReplayDecoder(RepositoryLoader.load(ReplayKafkaIT.DEFS).source("payments"), null, null);
    SourceRecord r = d.decodeJson(RECORD, "a.jsonl:3");
    assertEquals("a.jsonl:3", r.origin());
    BadRecordException e = assertThrows(BadRecordException.class, () -> d.decodeJson(RECORD + RECORD, "a.jsonl:3"));
    assertEquals("not valid JSON: more after the object", e.getMessage());
    e = assertThrows(BadRecordException.class, () -> d.decodeJson(RECORD + " x", "a.jsonl:3"));
    assertTrue(e.getMessage().startsWith("not valid JSON: "), e.getMessage());
    assertEquals("t-1", d.decodeJson(RECORD + " \t", "a.jsonl:3").values()[0]);
  }
}
