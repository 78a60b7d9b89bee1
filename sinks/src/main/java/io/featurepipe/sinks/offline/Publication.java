package io.featurepipe.sinks.offline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * The {@code _PUBLISHED} file of an offline partition: which run published it and exactly which
 * files (names relative to the partition folder) hold its records. Readers read only these files,
 * so writing this file last publishes a partition atomically on any file system.
 */
public record Publication(
    String group,
    String version,
    String date,
    String runId,
    List<String> files,
    long rows,
    String publishedAt)
    implements Serializable {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Writes this publication as the partition's {@code _PUBLISHED} file. */
  public void write(String partitionFolder) throws IOException {
    ResourceId file =
        FileSystems.matchNewResource(partitionFolder + "/" + OfflineLayout.PUBLISHED, false);
    try (WritableByteChannel ch = FileSystems.create(file, MimeTypes.TEXT);
        OutputStream out = Channels.newOutputStream(ch)) {
      out.write(JSON.writeValueAsBytes(this));
    }
  }

  /** The publication of a partition folder, or null when it has none. */
  public static Publication read(String partitionFolder) throws IOException {
    MatchResult m = FileSystems.match(partitionFolder + "/" + OfflineLayout.PUBLISHED);
    if (m.status() != MatchResult.Status.OK || m.metadata().isEmpty()) {
      return null;
    }
    try (InputStream in = Channels.newInputStream(FileSystems.open(m.metadata().get(0).resourceId()))) {
      return JSON.readValue(in, Publication.class);
    }
  }
}
