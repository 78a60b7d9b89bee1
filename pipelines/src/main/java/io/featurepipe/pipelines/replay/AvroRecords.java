package io.featurepipe.pipelines.replay;

import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.PayloadDecoder;
import io.featurepipe.transforms.decode.SourceSchemas;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.SourceRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * Avro records of a source written back: as one binary datum of the schema derived from the
 * definition ({@link SourceSchemas#of}: timestamps as {@code timestamp-micros}), which is the wire
 * format {@code ReadKafka} reads Avro message values in (a bare datum: no container, no schema
 * registry header), and as records of a replay container file of that schema, which
 * {@code ReadAvroFiles} reads (its schema is always readable by the definition it is derived from).
 *
 * <p>Why the derived schema and not the source's {@code .avsc}: the {@code .avsc} is a file of the
 * repository the replay does not read, its fields are the definition's fields, and the derived
 * types (long, double, micros) hold every value the definition reads without loss.
 */
final class AvroRecords {
  private final SourceDef source;
  private final Schema schema;
  private final PayloadDecoder decoder;

  AvroRecords(SourceDef source) {
    this.source = source;
    this.schema = SourceSchemas.of(source);
    this.decoder = PayloadDecoder.of(source, null);
  }

  Schema schema() {
    return schema;
  }

  /** The record as a datum of the derived schema (timestamps to whole microseconds). */
  byte[] datum(SourceRecord r) {
    GenericRecord g = new GenericData.Record(schema);
    List<Field> fields = source.fields();
    for (int i = 0; i < fields.size(); i++) {
      Object v = r.value(i);
      if (v != null && fields.get(i).type() == ColumnType.TIMESTAMP) {
        v = Math.floorDiv((Long) v, 1_000L);
      }
      g.put(i, v);
    }
    return PayloadDecoder.encodeAvro(g);
  }

  /** A message value read as {@code ReadKafka} reads it. */
  SourceRecord read(byte[] datum, String origin) throws BadRecordException {
    return decoder.decode(datum, origin);
  }

  /** Writes datums of {@code schema} as an Avro container file, replacing it. */
  static void writeFile(String file, Schema schema, List<byte[]> datums) throws IOException {
    ResourceId id = FileSystems.matchNewResource(file, false);
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(id, MimeTypes.BINARY));
        DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
      w.create(schema, out);
      for (byte[] d : datums) {
        w.appendEncoded(ByteBuffer.wrap(d));
      }
    }
  }
}
