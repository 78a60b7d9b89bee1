package io.featurepipe.pipelines.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The items (lines, Avro records) of input files that dead-letter origins name by number, e.g.
 * {@code <file>:<line>}. Each file is read once, as a stream, keeping only the numbers the dead
 * letters name (and those {@link #alwaysKept} names): a day's input may be far larger than memory.
 * A number not named up front makes the file be read again.
 */
abstract class NumberedOrigins<T> {
  /** Between an origin's file and its number. */
  private final char separator;
  /** Per file, the numbers to keep. */
  private final Map<String, Set<Long>> wanted = new HashMap<>();
  /** Per file read, the kept items by number; null when the file is gone. */
  private final Map<String, Map<Long, T>> files = new HashMap<>();

  /** @param separator between an origin's file and its number: {@code <file><separator><n>} */
  NumberedOrigins(char separator) {
    this.separator = separator;
  }

  /** The file of an origin {@code <file><separator><n>} (n ≥ 1), or null when it names no item of a file. */
  static String fileOf(String origin, char separator) {
    int at = origin == null ? -1 : origin.lastIndexOf(separator);
    return at <= 0 || numberOf(origin, separator) < 1 ? null : origin.substring(0, at);
  }

  /** The number of an origin {@code <file><separator><n>}, or -1 when it ends in none. */
  private static long numberOf(String origin, char separator) {
    try {
      return Long.parseLong(origin.substring(origin.lastIndexOf(separator) + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The file an origin names an item of, or null when it names none. */
  String fileOf(String origin) {
    return fileOf(origin, separator);
  }

  /** The number (1-based) of the item an origin names in its file. */
  final long numberOf(String origin) {
    return numberOf(origin, separator);
  }

  /** The items of a file whose numbers are in {@code keep}, read as a stream (the file exists). */
  abstract Map<Long, T> read(String file, Set<Long> keep) throws IOException;

  /** Numbers kept in every file besides those asked for (a CSV header line). */
  Set<Long> alwaysKept() {
    return Set.of();
  }

  /** Keeps the items of these origins (those of the dead letters to replay). */
  final void keep(Collection<String> origins) {
    for (String origin : origins) {
      want(origin);
    }
  }

  /** The item at an origin, or null when the origin names none or the file or item is not there. */
  final T at(String origin) {
    String file = fileOf(origin);
    if (file == null) {
      return null;
    }
    if (want(origin)) {
      files.remove(file);
    }
    Map<Long, T> items = items(file);
    return items == null ? null : items.get(numberOf(origin));
  }

  /** The kept items of a file by number, or null when the file is gone. */
  final Map<Long, T> items(String file) {
    wanted.computeIfAbsent(file, f -> new HashSet<>(alwaysKept()));
    if (!files.containsKey(file)) {
      try {
        files.put(file, ReplayFiles.exists(file) ? read(file, wanted.get(file)) : null);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    return files.get(file);
  }

  private boolean want(String origin) {
    String file = fileOf(origin);
    return file != null && wanted.computeIfAbsent(file, f -> new HashSet<>(alwaysKept())).add(numberOf(origin));
  }
}
