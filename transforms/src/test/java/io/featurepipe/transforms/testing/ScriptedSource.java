package io.featurepipe.transforms.testing;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;

/**
 * An unbounded source that replays a script of elements and watermark advances, for runners without
 * {@code TestStream} (Flink). After each watermark advance it pauses for a while of wall-clock time
 * so the runner emits the watermark before the elements that follow; the pause is the only timing
 * assumption, and it is generous. The source has one split.
 */
public final class ScriptedSource<T extends Serializable>
    extends UnboundedSource<T, ScriptedSource.Mark> {

  /** The script position is not checkpointed: a restarted reader replays from the start. */
  public static final class Mark implements UnboundedSource.CheckpointMark, Serializable {
    @Override
    public void finalizeCheckpoint() {}
  }

  /** One step of a script: elements at their timestamps, or a watermark advance. */
  public record Step<T>(List<T> elements, List<Long> timestamps, Long watermark) implements Serializable {}

  /** Builds a script. */
  public static final class Script<T extends Serializable> implements Serializable {
    private final List<Step<T>> steps = new ArrayList<>();

    public Script<T> add(T element, long timestampMillis) {
      steps.add(new Step<>(List.of(element), List.of(timestampMillis), null));
      return this;
    }

    public Script<T> advanceWatermarkTo(long millis) {
      steps.add(new Step<>(List.of(), List.of(), millis));
      return this;
    }

    public List<Step<T>> steps() {
      return steps;
    }
  }

  private final List<Step<T>> steps;
  private final Coder<T> coder;
  private final long pauseMillis;

  public ScriptedSource(Script<T> script, Coder<T> coder, long pauseMillis) {
    this.steps = List.copyOf(script.steps());
    this.coder = coder;
    this.pauseMillis = pauseMillis;
  }

  @Override
  public List<? extends UnboundedSource<T, Mark>> split(int desiredNumSplits, PipelineOptions options) {
    return List.of(this);
  }

  @Override
  public UnboundedReader<T> createReader(PipelineOptions options, Mark checkpointMark) {
    return new Reader();
  }

  @Override
  public Coder<Mark> getCheckpointMarkCoder() {
    return org.apache.beam.sdk.coders.SerializableCoder.of(Mark.class);
  }

  @Override
  public Coder<T> getOutputCoder() {
    return coder;
  }

  private final class Reader extends UnboundedReader<T> {
    private int step = -1;
    private T current;
    private Instant currentTimestamp;
    private Instant watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
    private long pausedUntil;

    @Override
    public boolean start() {
      return advance();
    }

    @Override
    public boolean advance() {
      if (System.currentTimeMillis() < pausedUntil) {
        return false;
      }
      if (step + 1 >= steps.size()) {
        watermark = BoundedWindow.TIMESTAMP_MAX_VALUE;
        return false;
      }
      step++;
      Step<T> s = steps.get(step);
      if (s.watermark() != null) {
        watermark = new Instant(s.watermark());
        pausedUntil = System.currentTimeMillis() + pauseMillis;
        return false;
      }
      current = s.elements().get(0);
      currentTimestamp = new Instant(s.timestamps().get(0));
      return true;
    }

    @Override
    public T getCurrent() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return current;
    }

    @Override
    public Instant getCurrentTimestamp() {
      return currentTimestamp;
    }

    @Override
    public void close() throws IOException {}

    @Override
    public Instant getWatermark() {
      return watermark;
    }

    @Override
    public CheckpointMark getCheckpointMark() {
      return new Mark();
    }

    @Override
    public UnboundedSource<T, ?> getCurrentSource() {
      return ScriptedSource.this;
    }
  }
}
