package io.featurepipe.transforms.model;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A source of events ({@code kind: source}): its format, its typed fields, the event-time column and
 * how it is written, where it is read from in bounded and unbounded runs, and its lateness rules.
 *
 * @param timestampFormat {@code iso8601}, {@code epoch_millis}, {@code epoch_micros},
 *     {@code epoch_seconds} or a {@link java.time.format.DateTimeFormatter} pattern read as UTC
 * @param avroSchema path of an {@code .avsc} file the fields were read from, or null
 * @param bounded where bounded runs read, or null
 * @param unbounded where unbounded runs read, or null
 * @param csvHeader for CSV: whether the first line of each file names the columns
 * @param csvDelimiter for CSV: the field separator
 */
public record SourceDef(
    String name,
    String description,
    SourceFormat format,
    String timestampColumn,
    String timestampFormat,
    List<Field> fields,
    String avroSchema,
    IoSpec bounded,
    IoSpec unbounded,
    Duration watermarkDelay,
    Duration allowedLateness,
    boolean csvHeader,
    char csvDelimiter,
    Location location)
    implements Serializable {

  public Optional<Field> field(String column) {
    return fields.stream().filter(f -> f.name().equals(column)).findFirst();
  }

  /**
   * The field whose name differs from {@code column}'s only in case (names match exactly, as Avro,
   * JSON and CSV headers name them), or -1 when none does or one is named {@code column} exactly.
   */
  public int indexDifferingInCase(String column) {
    if (indexOf(column) >= 0) {
      return -1;
    }
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).name().equalsIgnoreCase(column)) {
        return i;
      }
    }
    return -1;
  }

  /** The position of a column in {@link #fields()}, or -1. */
  public int indexOf(String column) {
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).name().equals(column)) {
        return i;
      }
    }
    return -1;
  }
}
