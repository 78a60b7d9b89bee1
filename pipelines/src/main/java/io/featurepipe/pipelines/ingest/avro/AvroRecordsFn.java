package io.featurepipe.pipelines.ingest.avro;

import io.featurepipe.pipelines.ingest.ReadSource;
import io.featurepipe.pipelines.ingest.SourceCounters;
import io.featurepipe.transforms.decode.AvroRecordDecoder;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.joda.time.Instant;

/**
 * Reads files whose rows come as Avro records (Avro data files, Parquet files): each record is
 * decoded by {@link AvroRecordDecoder} into a timestamped {@link SourceRecord}, or becomes a dead
 * letter with the record as JSON; both are counted. Subclasses walk a file and say what went wrong
 * with it.
 */
public abstract class AvroRecordsFn extends DoFn<FileIO.ReadableFile, SourceRecord> {
  protected final SourceDef source;
  private final SourceCounters counters;
  private final String step;
  private transient AvroRecordDecoder decoder;

  /** @param transform the reading transform's name, the dead letters' step is {@code <transform>/<source>} */
  protected AvroRecordsFn(SourceDef source, String transform) {
    this.source = source;
    this.counters = new SourceCounters(source.name());
    this.step = transform + "/" + source.name();
  }

  @Setup
  public void setup() {
    decoder = new AvroRecordDecoder(source);
  }

  /** A record of the file, decoded into the records output or a dead letter. */
  protected final void emit(MultiOutputReceiver out, GenericRecord record, String origin) {
    try {
      SourceRecord r = decoder.decode(record, origin);
      counters.recordRead();
      out.get(ReadSource.RECORDS).outputWithTimestamp(r, new Instant(r.eventTimeMillis()));
    } catch (BadRecordException e) {
      dead(out, e.getMessage(), AvroRecordDecoder.toJson(record), origin);
    }
  }

  protected final void dead(MultiOutputReceiver out, String reason, String payload, String origin) {
    counters.deadLetter();
    out.get(ReadSource.DEAD_LETTERS).output(new DeadLetter(source.name(), step, reason, payload, origin));
  }
}
