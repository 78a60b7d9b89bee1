package io.featurepipe.validation.output;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;
import org.tensorflow.metadata.v0.Anomalies;
import org.tensorflow.metadata.v0.DatasetFeatureStatisticsList;
import org.tensorflow.metadata.v0.Schema;

/**
 * Reads and writes validation outputs through Beam's {@link FileSystems} (local, GCS, ...): {@code
 * stats.pb} as a binary {@link DatasetFeatureStatisticsList} (what TFDV's {@code
 * load_stats_binary} and Facets read), {@code schema.pbtxt} and {@code anomalies.pbtxt} in text
 * format (TFDV's {@code load_schema_text} / {@code load_anomalies_text}). Writing the same content
 * twice gives the same file, so retried steps may rewrite them.
 */
public final class ValidationFiles {
  private ValidationFiles() {}

  public static void writeStatistics(String path, DatasetFeatureStatisticsList stats) throws IOException {
    write(path, stats.toByteArray(), MimeTypes.BINARY);
  }

  public static DatasetFeatureStatisticsList readStatistics(String path) throws IOException {
    try {
      return DatasetFeatureStatisticsList.parseFrom(read(path));
    } catch (InvalidProtocolBufferException e) {
      throw new IOException(path + " is not a binary DatasetFeatureStatisticsList: " + e.getMessage(), e);
    }
  }

  public static void writeSchema(String path, Schema schema) throws IOException {
    write(path, ProtoText.print(schema).getBytes(StandardCharsets.UTF_8), MimeTypes.TEXT);
  }

  public static Schema readSchema(String path) throws IOException {
    return ProtoText.parse(new String(read(path), StandardCharsets.UTF_8), Schema.newBuilder());
  }

  public static void writeAnomalies(String path, Anomalies anomalies) throws IOException {
    write(path, ProtoText.print(anomalies).getBytes(StandardCharsets.UTF_8), MimeTypes.TEXT);
  }

  public static Anomalies readAnomalies(String path) throws IOException {
    return ProtoText.parse(new String(read(path), StandardCharsets.UTF_8), Anomalies.newBuilder());
  }

  public static void writeText(String path, String text) throws IOException {
    write(path, text.getBytes(StandardCharsets.UTF_8), "text/html");
  }

  public static boolean exists(String path) throws IOException {
    MatchResult m = FileSystems.match(path);
    return m.status() == MatchResult.Status.OK && !m.metadata().isEmpty();
  }

  /** The files matching a glob, sorted by path. */
  public static List<String> match(String glob) throws IOException {
    List<String> out = new ArrayList<>();
    MatchResult m = FileSystems.match(glob);
    if (m.status() == MatchResult.Status.OK) {
      for (MatchResult.Metadata md : m.metadata()) {
        out.add(md.resourceId().toString());
      }
    }
    out.sort(null);
    return out;
  }

  private static void write(String path, byte[] bytes, String mime) throws IOException {
    ResourceId id = FileSystems.matchNewResource(path, false);
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(id, mime))) {
      out.write(bytes);
    }
  }

  private static byte[] read(String path) throws IOException {
    ResourceId id = FileSystems.matchSingleFileSpec(path).resourceId();
    try (InputStream in = Channels.newInputStream(FileSystems.open(id))) {
      return in.readAllBytes();
    }
  }
}
