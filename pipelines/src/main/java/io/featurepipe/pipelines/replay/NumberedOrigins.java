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
  /** Per file, the numbers to keep. */
  private final Map<String, Set<Long>> wanted = new HashMap<>();
  /** Per file read, the kept items by number; null when the file is gone. */
  private final Map<String, Map<Long, T>> files = new HashMap<>();

  /** The file an origin names an item of, or null when it names none. */
  abstract String fileOf(String origin);

  /** The number (1-based) of the item an origin names in its file. */
  abstract long numberOf(String origin);

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
