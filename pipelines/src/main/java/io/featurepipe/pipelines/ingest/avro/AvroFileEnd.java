package io.featurepipe.pipelines.ingest.avro;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.apache.avro.file.DataFileConstants;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Tells a complete Avro container file from one cut short. Avro's {@code DataFileStream} ends
 * silently at an end of file inside a block (it takes it for the end of the data), so the records
 * of a truncated last block would be lost without a word. A complete file ends with its sync
 * marker (after the header and after every block), so: {@link Tail} keeps the last 16 bytes read,
 * {@link #syncMarker} reads the marker from the header, and {@link #recordsInCutBlock} counts the
 * records the cut block held, from its block header.
 *
 * <p>Hand-written because Avro exposes neither the sync marker nor the block it failed to read;
 * only the container layout of the Avro specification is read here (magic, metadata map, sync;
 * then per block: count, size, data, sync), with Avro's own decoder.
 */
final class AvroFileEnd {
  private AvroFileEnd() {}

  /** The sync marker of a container file (read from its header). */
  static byte[] syncMarker(InputStream in) throws IOException {
    BinaryDecoder d = DecoderFactory.get().directBinaryDecoder(in, null);
    d.skipFixed(DataFileConstants.MAGIC.length);
    for (long n = d.readMapStart(); n != 0; n = d.mapNext()) {
      for (long i = 0; i < n; i++) {
        d.skipString();
        d.skipBytes();
      }
    }
    byte[] sync = new byte[DataFileConstants.SYNC_SIZE];
    d.readFixed(sync);
    return sync;
  }

  /**
   * The record count of the block the file ends in (its header read, its data or sync cut short),
   * or -1 when the file ends before a block's header is whole.
   */
  static long recordsInCutBlock(InputStream in) throws IOException {
    syncMarker(in);
    BinaryDecoder d = DecoderFactory.get().directBinaryDecoder(in, null);
    while (true) {
      long count;
      long size;
      try {
        count = d.readLong();
        size = d.readLong();
      } catch (EOFException e) {
        return -1;
      }
      try {
        d.skipFixed((int) size + DataFileConstants.SYNC_SIZE);
      } catch (EOFException e) {
        return count;
      }
    }
  }

  /** An input stream keeping the last sync-marker-sized bytes it read. */
  static final class Tail extends FilterInputStream {
    private final byte[] last = new byte[DataFileConstants.SYNC_SIZE];
    private long total;

    Tail(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        keep(new byte[] {(byte) b}, 0, 1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        keep(b, off, n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      // keep every byte seen: read instead of skipping
      byte[] buf = new byte[(int) Math.min(n, 8192)];
      int r = read(buf, 0, buf.length);
      return Math.max(r, 0);
    }

    private void keep(byte[] b, int off, int n) {
      int k = Math.min(n, last.length);
      System.arraycopy(last, k, last, 0, last.length - k);
      System.arraycopy(b, off + n - k, last, last.length - k, k);
      total += n;
    }

    /** Whether the bytes read so far end with {@code sync} (reading the rest first). */
    boolean endsWith(byte[] sync) throws IOException {
      byte[] rest = new byte[8192];
      while (read(rest, 0, rest.length) >= 0) {
        // drain what the reader left
      }
      return total >= sync.length && Arrays.equals(last, sync);
    }
  }
}
