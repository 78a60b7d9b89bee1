package io.featurepipe.sinks.online;

import com.google.protobuf.ByteString;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.record.Wtf8;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The online store's layout in Bigtable (DESIGN §4; every byte is in {@code docs/online-store.md}):
 *
 * <ul>
 *   <li>row key {@code <entity>#<len>:<component><len>:<component>...}: each key component's bytes
 *       preceded by their length in decimal and a colon, so no two keys of an entity share a row
 *       however the components are spelled (a {@code #} or {@code :} in a value is just a byte);
 *   <li>one column family per (group, version), {@code <group>.v<version>}, one qualifier per
 *       feature (its name);
 *   <li>cell timestamp = window end in milliseconds, written as Bigtable's microseconds ({@code
 *       e * 1000});
 *   <li>a metadata row per (group, version), {@code _meta#<group>.v<version>}, in family {@code
 *       _meta}: the watermark cell {@code watermark} and the stream registration {@code
 *       stream_start}. Entity names start with a letter, so no entity row sorts among them.
 * </ul>
 */
public final class OnlineLayout {
  /** The family of metadata rows; kept forever, one version per cell. */
  public static final String META_FAMILY = "_meta";

  /** Qualifier of the watermark cell M. */
  public static final ByteString WATERMARK = ByteString.copyFromUtf8("watermark");

  /** Qualifier of the registered start S of the stream that writes the group. */
  public static final ByteString STREAM_START = ByteString.copyFromUtf8("stream_start");

  private static final int MAX_FAMILY_LENGTH = 64;

  private OnlineLayout() {}

  /** The column family of a group's current version: {@code <group>.v<version>}. */
  public static String family(FeatureGroupDef group) {
    return family(group.name(), group.version());
  }

  public static String family(String group, String version) {
    String family = group + ".v" + version;
    if (family.length() > MAX_FAMILY_LENGTH) {
      throw new IllegalArgumentException(
          "feature group '" + group + "': its Bigtable column family '" + family + "' is longer than "
              + MAX_FAMILY_LENGTH + " characters; shorten the group name");
    }
    return family;
  }

  /** The qualifier of a feature: its name. */
  public static ByteString qualifier(String feature) {
    return ByteString.copyFromUtf8(feature);
  }

  /** The metadata row of a group's version. */
  public static ByteString metadataRow(String group, String version) {
    return ByteString.copyFromUtf8(META_FAMILY + "#" + family(group, version));
  }

  public static ByteString metadataRow(FeatureGroupDef group) {
    return metadataRow(group.name(), group.version());
  }

  /** Bigtable's cell timestamp (microseconds) of a window end in milliseconds. */
  public static long cellTimestamp(long windowEndMillis) {
    if (windowEndMillis < 0) {
      throw new IllegalArgumentException(
          "window end " + java.time.Instant.ofEpochMilli(windowEndMillis)
              + " is before 1970: Bigtable cell timestamps cannot be negative");
    }
    return Math.multiplyExact(windowEndMillis, 1000L);
  }

  /** The window end in milliseconds of a cell timestamp. */
  public static long windowEnd(long cellTimestampMicros) {
    return Math.floorDiv(cellTimestampMicros, 1000L);
  }

  /** The row key of an entity key: its values in the entity's key order, of the key fields' types. */
  public static ByteString rowKey(EntityDef entity, List<?> key) {
    if (key.size() != entity.keys().size()) {
      throw new IllegalArgumentException(
          "entity '" + entity.name() + "' has " + entity.keys().size() + " key column(s), the key "
              + key + " has " + key.size());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(entity.name().getBytes(StandardCharsets.UTF_8));
    out.write('#');
    for (int i = 0; i < key.size(); i++) {
      byte[] component = component(entity.name(), entity.keys().get(i).name(), entity.keys().get(i).type(), key.get(i));
      out.writeBytes(Integer.toString(component.length).getBytes(StandardCharsets.US_ASCII));
      out.write(':');
      out.writeBytes(component);
    }
    return ByteString.copyFrom(out.toByteArray());
  }

  /** The entity key of a row key (the inverse of {@link #rowKey}). */
  public static List<Object> keyOf(EntityDef entity, ByteString rowKey) {
    byte[] bytes = rowKey.toByteArray();
    byte[] prefix = (entity.name() + "#").getBytes(StandardCharsets.UTF_8);
    if (!rowKey.startsWith(ByteString.copyFrom(prefix))) {
      throw new IllegalArgumentException("row key is not of entity '" + entity.name() + "'");
    }
    int pos = prefix.length;
    List<Object> key = new ArrayList<>();
    for (var field : entity.keys()) {
      int colon = pos;
      while (bytes[colon] != ':') {
        colon++;
      }
      int len = Integer.parseInt(new String(bytes, pos, colon - pos, StandardCharsets.US_ASCII));
      byte[] component = java.util.Arrays.copyOfRange(bytes, colon + 1, colon + 1 + len);
      key.add(parseComponent(field.type(), component));
      pos = colon + 1 + len;
    }
    if (pos != bytes.length) {
      throw new IllegalArgumentException("row key of entity '" + entity.name() + "' has trailing bytes");
    }
    return key;
  }

  private static byte[] component(String entity, String column, ColumnType type, Object value) {
    String bad = null;
    if (value == null) {
      bad = "is null";
    } else {
      switch (type) {
        case STRING:
          if (value instanceof String s) {
            return Wtf8.encode(s);
          }
          break;
        case INT64:
        case TIMESTAMP:
          if (value instanceof Long l) {
            return Long.toString(l).getBytes(StandardCharsets.US_ASCII);
          }
          break;
        case BOOL:
          if (value instanceof Boolean b) {
            return b.toString().getBytes(StandardCharsets.US_ASCII);
          }
          break;
        case DOUBLE:
          if (value instanceof Double d) {
            return String.format("%016x", Double.doubleToRawLongBits(d)).getBytes(StandardCharsets.US_ASCII);
          }
          break;
      }
      bad = "is " + value + " (" + value.getClass().getSimpleName() + "), not a " + type.yamlName();
    }
    throw new IllegalArgumentException("key column '" + column + "' of entity '" + entity + "' " + bad);
  }

  private static Object parseComponent(ColumnType type, byte[] bytes) {
    String text = new String(bytes, StandardCharsets.US_ASCII);
    return switch (type) {
      case STRING -> Wtf8.decode(bytes);
      case INT64, TIMESTAMP -> Long.parseLong(text);
      case BOOL -> Boolean.parseBoolean(text);
      case DOUBLE -> Double.longBitsToDouble(Long.parseUnsignedLong(text, 16));
    };
  }
}
