package io.featurepipe.sinks.online;

import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import com.google.cloud.bigtable.data.v2.models.Query;
import com.google.cloud.bigtable.data.v2.models.Row;
import com.google.cloud.bigtable.data.v2.models.RowCell;
import com.google.cloud.bigtable.data.v2.models.TableId;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/** Helpers of the emulator tests: a prepared table, and every cell of a table. */
final class StoreTesting {
  private StoreTesting() {}

  static BigtableTarget target(EmbeddedBigtable bigtable, String table) {
    return BigtableTarget.parse("test-project/test-instance/" + table).withEmulator(bigtable.hostPort());
  }

  /**
   * Every cell of a table: "row | family:qualifier @ timestamp" → value bytes in hex. Of the
   * metadata family, which keeps one version per cell, only the newest version: older ones linger
   * until garbage collection, which runs when it likes.
   */
  static Map<String, String> dump(BigtableTarget target) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (BigtableDataClient client = BigtableDataClient.create(target.dataSettings())) {
      for (Row row : client.readRows(Query.create(TableId.of(target.table())))) {
        java.util.Set<String> metaSeen = new java.util.HashSet<>();
        for (RowCell c : row.getCells()) {
          if (c.getFamily().equals("_meta") && !metaSeen.add(c.getQualifier().toStringUtf8())) {
            continue; // cells come newest first within a column
          }
          out.put(
              cellId(row.getKey().toStringUtf8(), c.getFamily(), c.getQualifier().toStringUtf8(), c.getTimestamp()),
              java.util.HexFormat.of().formatHex(c.getValue().toByteArray()));
        }
      }
    }
    return out;
  }

  static String cellId(String row, String family, String qualifier, long timestampMicros) {
    return row + " | " + family + ":" + qualifier + " @ " + timestampMicros;
  }
}
