package io.featurepipe.sinks.online;

import java.io.Serializable;

/**
 * The one-writer rule of DESIGN §3 for one (group, version): which window ends a writer may write.
 *
 * <ul>
 *   <li>A stream that read every event since {@code S} owns the window ends {@code e >= S_own},
 *       where {@code S_own} is {@code S + longest window} rounded up to the hop, plus one hop: at
 *       {@code S + longest} every window is complete, but the explicit empty there depends on the
 *       window one hop earlier, which is not.
 *   <li>A batch writer (materialize, backfill) owns the rest: when a stream is registered, the
 *       window ends {@code e < S_own} that are also {@code <= M - allowed_lateness} (final); when
 *       none is, all of them.
 * </ul>
 *
 * The two sets never meet: a cell has one writer.
 */
public record WriterOwnership(long hopMillis, long longestMillis, long allowedLatenessMillis)
    implements Serializable {

  /** The first window end a stream that started at {@code streamStartMillis} owns. */
  public long streamOwnsFrom(long streamStartMillis) {
    long complete = streamStartMillis + longestMillis;
    return Math.floorDiv(complete + hopMillis - 1, hopMillis) * hopMillis + hopMillis;
  }

  /** Whether the stream that started at {@code streamStartMillis} writes window end {@code e}. */
  public boolean streamOwns(long e, long streamStartMillis) {
    return e >= streamOwnsFrom(streamStartMillis);
  }

  /**
   * Whether a batch writer writes window end {@code e}, given the registered stream start (null:
   * no stream) and the watermark cell (null: none yet).
   */
  public boolean batchOwns(long e, Long streamStartMillis, Long watermarkMillis) {
    if (streamStartMillis == null) {
      return true;
    }
    return e < streamOwnsFrom(streamStartMillis)
        && watermarkMillis != null
        && e <= watermarkMillis - allowedLatenessMillis;
  }
}
