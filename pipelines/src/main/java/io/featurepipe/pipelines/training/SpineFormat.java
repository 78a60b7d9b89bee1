package io.featurepipe.pipelines.training;

import java.util.Locale;

/** The file formats a spine can be in. */
public enum SpineFormat {
  /** Comma-separated values with a header line naming the columns. */
  CSV,
  /** One JSON object per line. */
  JSONL,
  /** Avro container files. */
  AVRO;

  /** The format a file name's extension says ({@code .csv}, {@code .jsonl}/{@code .json}, {@code .avro}; a compression suffix is skipped). */
  public static SpineFormat ofFileName(String name) {
    String n = name.toLowerCase(Locale.ROOT).replaceAll("\\.(gz|bz2|zst|zstd|deflate|zlib|zip|snappy|lzo|lzo_deflate)$", "");
    if (n.endsWith(".csv")) {
      return CSV;
    }
    if (n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")) {
      return JSONL;
    }
    if (n.endsWith(".avro")) {
      return AVRO;
    }
    throw new IllegalArgumentException(
        "cannot tell the format of spine file " + name + " from its name: use .csv, .jsonl or .avro, or name the format");
  }

  /** Parses csv, jsonl (or json) and avro, in any case. */
  public static SpineFormat parse(String text) {
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "csv":
        return CSV;
      case "jsonl":
      case "json":
        return JSONL;
      case "avro":
        return AVRO;
      default:
        throw new IllegalArgumentException("spine format '" + text + "' is not csv, jsonl or avro");
    }
  }
}
