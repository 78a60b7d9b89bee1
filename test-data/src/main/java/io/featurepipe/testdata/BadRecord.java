package io.featurepipe.testdata;

/**
 * A malformed line written to a sample file in place of an event (the event is lost, as a corrupted
 * record would be). Pipelines must send every one of these to the dead-letter output.
 *
 * @param source {@code payments} or {@code logins}
 * @param file path relative to the output folder, e.g. {@code payments/2026-01-03.jsonl}
 * @param line 1-based line number in that file (the CSV header is line 1)
 * @param kind how it is malformed
 * @param text the line as written (without the line break)
 */
public record BadRecord(String source, String file, int line, BadKind kind, String text) {}
