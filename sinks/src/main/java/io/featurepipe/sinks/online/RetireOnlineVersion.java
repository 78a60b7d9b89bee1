package io.featurepipe.sinks.online;

import com.google.cloud.bigtable.admin.v2.BigtableTableAdminClient;
import com.google.cloud.bigtable.admin.v2.models.ColumnFamily;
import com.google.cloud.bigtable.admin.v2.models.ModifyColumnFamiliesRequest;
import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import com.google.cloud.bigtable.data.v2.models.RowMutation;
import com.google.cloud.bigtable.data.v2.models.TableId;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.IOException;

/**
 * Retires an old version of a feature group from the online store (DESIGN §4): drops its column
 * family {@code <group>.v<version>} (every cell of that version, at once) and deletes its metadata
 * row {@code _meta#<group>.v<version>} (its watermark and stream registration). The current
 * version, the one the given definitions compute, is refused: retire a version only after its
 * successor's stream and materialize have filled the new family and readers use the new definitions
 * (docs/flink.md, "Upgrading a feature group").
 *
 * <pre>{@code
 * RetireOnlineVersion.of(target, currentRepository).retire("user_spend", "1a2b3c4d");  // true: dropped
 * }</pre>
 *
 * {@link PrepareOnlineStore} never drops anything; this is the one operation that does.
 */
public final class RetireOnlineVersion {
  private final BigtableTarget target;
  private final FeatureRepository current;

  private RetireOnlineVersion(BigtableTarget target, FeatureRepository current) {
    this.target = target;
    this.current = current;
  }

  /** Retirements in {@code target}, checked against the current definitions. */
  public static RetireOnlineVersion of(BigtableTarget target, FeatureRepository current) {
    if (target == null || current == null) {
      throw new IllegalArgumentException("retiring a version needs the Bigtable target and the current definitions");
    }
    return new RetireOnlineVersion(target, current);
  }

  /**
   * Drops the family and metadata row of {@code group}'s {@code version} (without the {@code v}).
   * Returns false, changing nothing, when the table has no such family (already retired).
   *
   * @throws IllegalArgumentException when {@code version} is the group's current version
   */
  public boolean retire(String group, String version) throws IOException {
    FeatureGroupDef def = current.group(group);
    if (def.version().equals(version)) {
      throw new IllegalArgumentException(
          "feature group '" + group + "': v" + version + " is the version the current definitions compute; "
              + "retire only a version they have replaced");
    }
    String family = OnlineLayout.family(group, version);
    try (BigtableTableAdminClient admin = BigtableTableAdminClient.create(target.adminSettings())) {
      boolean present = false;
      for (ColumnFamily f : admin.getTable(target.table()).getColumnFamilies()) {
        present |= f.getId().equals(family);
      }
      if (!present) {
        return false;
      }
      admin.modifyFamilies(ModifyColumnFamiliesRequest.of(target.table()).dropFamily(family));
    }
    try (BigtableDataClient data = BigtableDataClient.create(target.dataSettings())) {
      data.mutateRow(RowMutation.create(TableId.of(target.table()), OnlineLayout.metadataRow(group, version)).deleteRow());
    }
    return true;
  }
}
