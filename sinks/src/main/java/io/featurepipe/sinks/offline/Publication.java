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

  /** This publication as JSON, as written in {@code _PUBLISHED}. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public static Publication fromJson(String json) throws IOException {
    return JSON.readValue(json, Publication.class);
  }

  /** Deterministic coder: the JSON form. */
  public static final class Coder extends org.apache.beam.sdk.coders.AtomicCoder<Publication> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    private Coder() {}

    @Override
    public void encode(Publication p, OutputStream out) throws IOException {
      org.apache.beam.sdk.coders.StringUtf8Coder.of().encode(p.toJson(), out);
    }

    @Override
    public Publication decode(InputStream in) throws IOException {
      return fromJson(org.apache.beam.sdk.coders.StringUtf8Coder.of().decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }

  /** Writes this publication as the partition's {@code _PUBLISHED} file. */
  public void write(String partitionFolder) throws IOException {
    ResourceId file =
        FileSystems.matchNewResource(partitionFolder + "/" + OfflineLayout.PUBLISHED, false);
    try (WritableByteChannel ch = FileSystems.create(file, MimeTypes.TEXT);
        OutputStream out = Channels.newOutputStream(ch)) {
      out.write(toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** The publication of a partition folder, or null when it has none. */
  public static Publication read(String partitionFolder) throws IOException {
    MatchResult m = FileSystems.match(partitionFolder + "/" + OfflineLayout.PUBLISHED);
    if (m.status() != MatchResult.Status.OK || m.metadata().isEmpty()) {
      return null;
    }
    try (InputStream in = Channels.newInputStream(FileSystems.open(m.metadata().get(0).resourceId()))) {
      return fromJson(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }
  }
}
