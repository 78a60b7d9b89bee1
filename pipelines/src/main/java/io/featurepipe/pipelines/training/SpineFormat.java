package io.featurepipe.pipelines.training;

import java.util.Locale;

/** The file formats a spine can be in. */
public enum SpineFormat {
  /** Comma-separated values with a header line naming the columns. */
  CSV,
  /** One JSON object per line. */
  JSONL,
  /** Avro container files. */
  AVRO,
  /** Parquet files (read as Avro, as parquet-avro gives their columns). */
  PARQUET;

  /**
   * The format a file name's extension says ({@code .csv}, {@code .jsonl}/{@code .json}, {@code
   * .avro}, a compression suffix skipped; {@code .parquet}, never compressed as a whole).
   */
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
    if (name.toLowerCase(Locale.ROOT).endsWith(".parquet")) {
      return PARQUET;
    }
    throw new IllegalArgumentException(
        "cannot tell the format of spine file " + name + " from its name: use .csv, .jsonl, .avro or .parquet, or name the format");
  }

  /** Parses csv, jsonl (or json), avro and parquet, in any case. */
  public static SpineFormat parse(String text) {
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "csv":
        return CSV;
      case "jsonl":
      case "json":
        return JSONL;
      case "avro":
        return AVRO;
      case "parquet":
        return PARQUET;
      default:
        throw new IllegalArgumentException("spine format '" + text + "' is not csv, jsonl, avro or parquet");
    }
  }
}
