package io.featurepipe.pipelines.ingest.folder;

import io.featurepipe.pipelines.ingest.Decoded;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;

/**
 * Reads the files of a {@link FolderSource}: lists the folder at most once per poll interval,
 * reads new files whole in name order, and keeps a watermark of the largest event time seen minus
 * the watermark delay. A dead letter is stamped with the largest event time seen, so it is never
 * behind the watermark.
 */
final class FolderReader extends UnboundedSource.UnboundedReader<Decoded> {
  private final FolderSource source;
  private final SortedSet<String> done;
  private final Deque<String> pending = new ArrayDeque<>();
  private String current;
  private long linesConsumed;
  private long maxEventTimeMillis;
  private BufferedReader reader;
  private Instant lastPoll;
  private Decoded element;
  private Instant elementTimestamp;

  FolderReader(FolderSource source, FolderCheckpoint checkpoint) {
    this.source = source;
    this.done = checkpoint == null ? new TreeSet<>() : new TreeSet<>(checkpoint.done());
    this.current = checkpoint == null ? null : checkpoint.current();
    this.linesConsumed = checkpoint == null ? 0 : checkpoint.linesConsumed();
    this.maxEventTimeMillis =
        checkpoint == null ? BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis() : checkpoint.maxEventTimeMillis();
  }

  @Override
  public boolean start() throws IOException {
    poll();
    return advance();
  }

  @Override
  public boolean advance() throws IOException {
    while (true) {
      if (reader == null && !open()) {
        return false;
      }
      String line = reader.readLine();
      if (line == null) {
        reader.close();
        reader = null;
        done.add(current);
        current = null;
        linesConsumed = 0;
        continue;
      }
      linesConsumed++;
      if (line.isBlank() || (linesConsumed == 1 && source.skipHeader())) {
        continue;
      }
      decode(line, current + ":" + linesConsumed);
      return true;
    }
  }

  /** Opens the file to read next (resuming the current one), listing the folder when due. */
  private boolean open() throws IOException {
    if (current == null) {
      if (pending.isEmpty() && (lastPoll == null || !Instant.now().isBefore(lastPoll.plus(source.pollInterval())))) {
        poll();
      }
      if (pending.isEmpty()) {
        return false;
      }
      current = pending.removeFirst();
      linesConsumed = 0;
    }
    reader =
        new BufferedReader(
            new InputStreamReader(
                Channels.newInputStream(
                    Compression.detect(current)
                        .readDecompressed(FileSystems.open(FileSystems.matchNewResource(current, false)))),
                StandardCharsets.UTF_8));
    for (long i = 0; i < linesConsumed; i++) {
      if (reader.readLine() == null) {
        break;
      }
    }
    return true;
  }

  private void poll() throws IOException {
    lastPoll = Instant.now();
    String pattern = source.folder().endsWith("/") ? source.folder() + "*" : source.folder() + "/*";
    MatchResult match = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
    List<String> found = new ArrayList<>();
    if (match.status() == MatchResult.Status.OK) {
      for (MatchResult.Metadata m : match.metadata()) {
        String name = m.resourceId().getFilename();
        String path = m.resourceId().toString();
        if (name != null && !name.startsWith(".") && !name.startsWith("_") && !m.resourceId().isDirectory()
            && !done.contains(path) && !path.equals(current) && !pending.contains(path)) {
          found.add(path);
        }
      }
    }
    found.sort(null);
    pending.addAll(found);
  }

  private void decode(String line, String origin) {
    try {
      SourceRecord r = source.decoder().decode(line.getBytes(StandardCharsets.UTF_8), origin);
      maxEventTimeMillis = Math.max(maxEventTimeMillis, r.eventTimeMillis());
      element = Decoded.of(r);
      elementTimestamp = new Instant(r.eventTimeMillis());
    } catch (BadRecordException e) {
      String name = source.decoder().source().name();
      element = Decoded.failed(new DeadLetter(name, "ReadFolder/" + name, e.getMessage(), line, origin));
      elementTimestamp = new Instant(maxEventTimeMillis);
    }
  }

  @Override
  public Decoded getCurrent() {
    if (element == null) {
      throw new NoSuchElementException();
    }
    return element;
  }

  @Override
  public Instant getCurrentTimestamp() {
    if (element == null) {
      throw new NoSuchElementException();
    }
    return elementTimestamp;
  }

  @Override
  public Instant getWatermark() {
    if (maxEventTimeMillis == BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis()) {
      return BoundedWindow.TIMESTAMP_MIN_VALUE;
    }
    return new Instant(maxEventTimeMillis).minus(source.watermarkDelay());
  }

  @Override
  public FolderCheckpoint getCheckpointMark() {
    return new FolderCheckpoint(done, current, linesConsumed, maxEventTimeMillis);
  }

  @Override
  public FolderSource getCurrentSource() {
    return source;
  }

  @Override
  public void close() throws IOException {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }
}
