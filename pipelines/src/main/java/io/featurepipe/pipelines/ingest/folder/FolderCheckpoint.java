package io.featurepipe.pipelines.ingest.folder;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.io.UnboundedSource;

/**
 * Where a folder read stands: the files read whole, the file being read and how many of its lines
 * were consumed, and the largest event time seen (the watermark's base).
 */
record FolderCheckpoint(
    SortedSet<String> done, String current, long linesConsumed, long maxEventTimeMillis)
    implements UnboundedSource.CheckpointMark {

  FolderCheckpoint {
    done = new TreeSet<>(done);
  }

  @Override
  public void finalizeCheckpoint() {
    // files are never deleted or moved: nothing to acknowledge
  }

  /** Deterministic coder of {@link FolderCheckpoint}. */
  static final class Coder extends AtomicCoder<FolderCheckpoint> {
    @Override
    public void encode(FolderCheckpoint c, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      out.writeInt(c.done().size());
      for (String f : c.done()) {
        out.writeUTF(f);
      }
      out.writeBoolean(c.current() != null);
      if (c.current() != null) {
        out.writeUTF(c.current());
      }
      out.writeLong(c.linesConsumed());
      out.writeLong(c.maxEventTimeMillis());
      out.flush();
    }

    @Override
    public FolderCheckpoint decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      int n = in.readInt();
      SortedSet<String> done = new TreeSet<>();
      for (int i = 0; i < n; i++) {
        done.add(in.readUTF());
      }
      String current = in.readBoolean() ? in.readUTF() : null;
      return new FolderCheckpoint(done, current, in.readLong(), in.readLong());
    }

    @Override
    public void verifyDeterministic() {}

  }
}
