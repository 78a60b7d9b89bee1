package io.featurepipe.sinks.online;

import static com.google.cloud.bigtable.data.v2.models.Filters.FILTERS;

import com.google.api.core.ApiFuture;
import com.google.api.core.ApiFutures;
import com.google.bigtable.v2.Mutation;
import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import com.google.cloud.bigtable.data.v2.models.Query;
import com.google.cloud.bigtable.data.v2.models.Row;
import com.google.cloud.bigtable.data.v2.models.RowCell;
import com.google.cloud.bigtable.data.v2.models.RowMutation;
import com.google.cloud.bigtable.data.v2.models.TableId;
import com.google.protobuf.ByteString;
import io.featurepipe.transforms.model.FeatureGroupDef;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The metadata row of each (group, version): the watermark cell M and the registered stream start
 * S. Both cells carry their value as an 8-byte big-endian millisecond count and use that same
 * instant as cell timestamp, so the newest version of the cell is always the largest value: M and
 * S never move back, whatever order writes land in, and writing a value twice changes nothing.
 */
public final class StoreMetadata {

  /** What the metadata row of one (group, version) says; null fields are absent cells. */
  public record GroupState(Long watermarkMillis, Long streamStartMillis) {
    static final GroupState NONE = new GroupState(null, null);
  }

  private StoreMetadata() {}

  /** Reads the metadata of several groups in one multi-row read; groups never written map to NONE. */
  public static Map<String, GroupState> read(
      BigtableDataClient client, String table, Collection<FeatureGroupDef> groups) {
    List<Row> rows = new ArrayList<>();
    client.readRows(query(table, groups)).forEach(rows::add);
    return states(groups, rows);
  }

  /**
   * {@link #read} without blocking: the future completes on the client's thread when the read
   * answers (with the client's {@code ApiException} when it fails).
   */
  public static ApiFuture<Map<String, GroupState>> readAsync(
      BigtableDataClient client, String table, Collection<FeatureGroupDef> groups) {
    return ApiFutures.transform(
        client.readRowsCallable().all().futureCall(query(table, groups)),
        rows -> states(groups, rows),
        Runnable::run);
  }

  private static Query query(String table, Collection<FeatureGroupDef> groups) {
    Query query = Query.create(TableId.of(table));
    for (FeatureGroupDef g : groups) {
      query.rowKey(OnlineLayout.metadataRow(g));
    }
    return query.filter(
        FILTERS.chain()
            .filter(FILTERS.family().exactMatch(OnlineLayout.META_FAMILY))
            .filter(FILTERS.limit().cellsPerColumn(1)));
  }

  private static Map<String, GroupState> states(Collection<FeatureGroupDef> groups, List<Row> rows) {
    Map<ByteString, String> byRow = new HashMap<>();
    Map<String, GroupState> out = new HashMap<>();
    for (FeatureGroupDef g : groups) {
      byRow.put(OnlineLayout.metadataRow(g), g.name());
      out.put(g.name(), GroupState.NONE);
    }
    for (Row row : rows) {
      out.put(
          byRow.get(row.getKey()),
          new GroupState(
              latest(row.getCells(OnlineLayout.META_FAMILY, OnlineLayout.WATERMARK)),
              latest(row.getCells(OnlineLayout.META_FAMILY, OnlineLayout.STREAM_START))));
    }
    return out;
  }

  /** Records that a stream which read every event since {@code startMillis} writes the group. */
  public static void registerStreamStart(
      BigtableDataClient client, String table, FeatureGroupDef group, long startMillis) {
    client.mutateRow(
        RowMutation.create(TableId.of(table), OnlineLayout.metadataRow(group))
            .setCell(
                OnlineLayout.META_FAMILY,
                OnlineLayout.STREAM_START,
                OnlineLayout.cellTimestamp(startMillis),
                encode(startMillis)));
  }

  /** The mutation that moves the watermark cell to {@code windowEndMillis} (if it is ahead). */
  public static Mutation watermarkMutation(long windowEndMillis) {
    return Mutation.newBuilder()
        .setSetCell(
            Mutation.SetCell.newBuilder()
                .setFamilyName(OnlineLayout.META_FAMILY)
                .setColumnQualifier(OnlineLayout.WATERMARK)
                .setTimestampMicros(OnlineLayout.cellTimestamp(windowEndMillis))
                .setValue(encode(windowEndMillis)))
        .build();
  }

  static ByteString encode(long millis) {
    return ByteString.copyFrom(ByteBuffer.allocate(8).putLong(millis).array());
  }

  private static Long latest(List<RowCell> cells) {
    if (cells.isEmpty()) {
      return null;
    }
    RowCell newest = cells.get(0);
    for (RowCell c : cells) {
      if (c.getTimestamp() > newest.getTimestamp()) {
        newest = c;
      }
    }
    return newest.getValue().asReadOnlyByteBuffer().getLong();
  }
}
