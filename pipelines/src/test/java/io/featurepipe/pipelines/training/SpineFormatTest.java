package io.featurepipe.pipelines.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A spine file's format from its name, past every compression suffix Beam reads by extension. */
class SpineFormatTest {

  @Test
  void theFormatIsTheExtensionBeforeAnyCompressionSuffix() {
    for (String suffix : new String[] {"", ".gz", ".bz2", ".zst", ".zstd", ".deflate", ".zlib", ".zip", ".snappy", ".lzo", ".lzo_deflate"}) {
      assertEquals(SpineFormat.CSV, SpineFormat.ofFileName("spine.csv" + suffix), suffix);
      assertEquals(SpineFormat.JSONL, SpineFormat.ofFileName("Spine.JSONL" + suffix), suffix);
      assertEquals(SpineFormat.AVRO, SpineFormat.ofFileName("spine.avro" + suffix), suffix);
    }
    assertEquals(SpineFormat.PARQUET, SpineFormat.ofFileName("labels/part-00000.Parquet"));
    assertThrows(IllegalArgumentException.class, () -> SpineFormat.ofFileName("spine.parquet.gz"));
    assertThrows(IllegalArgumentException.class, () -> SpineFormat.ofFileName("spine.csv.xz"));
  }
}
