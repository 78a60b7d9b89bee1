package io.featurepipe.pipelines.ingest.folder;

import io.featurepipe.pipelines.ingest.Decoded;
import io.featurepipe.transforms.decode.PayloadDecoder;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.joda.time.Duration;

/**
 * An unbounded source over a folder: files that appear in it are read line by line, in name
 * order, each line decoded into a {@link Decoded}. Files whose name starts with {@code .} or
 * {@code _} are ignored (write a file under such a name, then rename it, so that it is never read
 * half-written). Read by one reader (a folder of demo files needs no more).
 *
 * <p>Why a source of its own: {@code FileIO.match().continuously()} stamps files with the time
 * they were found and derives its watermark from that; a feature stream needs event-time
 * timestamps and a watermark that trails the event times, which only a source can give.
 */
final class FolderSource extends UnboundedSource<Decoded, FolderCheckpoint> {
  private final String folder;
  private final Duration pollInterval;
  private final Duration watermarkDelay;
  private final PayloadDecoder decoder;
  private final boolean skipHeader;

  FolderSource(
      String folder, Duration pollInterval, Duration watermarkDelay, PayloadDecoder decoder, boolean skipHeader) {
    this.folder = folder;
    this.pollInterval = pollInterval;
    this.watermarkDelay = watermarkDelay;
    this.decoder = decoder;
    this.skipHeader = skipHeader;
  }

  String folder() {
    return folder;
  }

  Duration pollInterval() {
    return pollInterval;
  }

  Duration watermarkDelay() {
    return watermarkDelay;
  }

  PayloadDecoder decoder() {
    return decoder;
  }

  boolean skipHeader() {
    return skipHeader;
  }

  @Override
  public List<FolderSource> split(int desiredNumSplits, PipelineOptions options) {
    return List.of(this);
  }

  @Override
  public FolderReader createReader(PipelineOptions options, FolderCheckpoint checkpoint) {
    return new FolderReader(this, checkpoint);
  }

  @Override
  public Coder<FolderCheckpoint> getCheckpointMarkCoder() {
    return new FolderCheckpoint.Coder();
  }

  @Override
  public Coder<Decoded> getOutputCoder() {
    return Decoded.Coder.of();
  }
}
