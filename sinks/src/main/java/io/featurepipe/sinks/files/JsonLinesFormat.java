package io.featurepipe.sinks.files;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;

/** Text lines (JSON lines, one element per line), UTF-8. Parts join by byte concatenation. */
public final class JsonLinesFormat implements FileFormat<String> {

  @Override
  public String extension() {
    return ".jsonl";
  }

  @Override
  public Writer<String> open(WritableByteChannel channel, String first) {
    BufferedWriter w =
        new BufferedWriter(
            new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8), 1 << 16);
    return new Writer<>() {
      @Override
      public void write(String line) throws IOException {
        w.write(line);
        w.write('\n');
      }

      @Override
      public void finish() throws IOException {
        w.flush();
      }
    };
  }

  @Override
  public void concatenate(List<ResourceId> parts, WritableByteChannel out)
      throws IOException {
    OutputStream os = Channels.newOutputStream(out);
    for (ResourceId part : parts) {
      try (InputStream in = Channels.newInputStream(FileSystems.open(part))) {
        in.transferTo(os);
      }
    }
    os.flush();
  }
}
