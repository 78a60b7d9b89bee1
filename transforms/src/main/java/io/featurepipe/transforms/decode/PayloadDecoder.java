package io.featurepipe.transforms.decode;

import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.model.SourceFormat;
import io.featurepipe.transforms.record.SourceRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Decodes one message of a stream (a Kafka value, a Pub/Sub payload, a line of a watched file)
 * into a {@link SourceRecord}, by the source's format:
 *
 * <ul>
 *   <li>{@code jsonl}: one JSON object, UTF-8 (a trailing newline is ignored);
 *   <li>{@code csv}: one CSV line whose columns are the source's fields in order (streams have no
 *       header);
 *   <li>{@code avro}: one Avro binary datum (no container, no header) written with the writer
 *       schema given — the source's {@code .avsc}, or {@link SourceSchemas#of} when it has none.
 * </ul>
 *
 * <pre>{@code
 * PayloadDecoder d = PayloadDecoder.of(source, null);   // null: the schema derived from the fields
 * SourceRecord r = d.decode(bytes, "payments/0/17");     // or BadRecordException
 * String text = d.payloadText(bytes);                     // for a dead letter
 * }</pre>
 */
public final class PayloadDecoder implements Serializable {
  private final SourceDef source;
  private final String writerSchemaJson;
  private final RecordDecoder decoder;
  private transient Schema writerSchema;
  private transient GenericDatumReader<GenericRecord> datumReader;
  private transient AvroRecordDecoder avroDecoder;
  private transient List<String> csvColumns;

  private PayloadDecoder(SourceDef source, Schema writerSchema) {
    this.source = source;
    this.writerSchemaJson = writerSchema == null ? null : writerSchema.toString();
    this.decoder = new RecordDecoder(source);
  }

  /**
   * A decoder of the source's messages.
   *
   * @param avroWriterSchema for {@code avro}: the schema messages are written with, or null for
   *     the schema derived from the fields; checked against the definition now
   * @throws IllegalArgumentException when the format cannot be streamed or the schema not read
   */
  public static PayloadDecoder of(SourceDef source, Schema avroWriterSchema) {
    switch (source.format()) {
      case JSONL:
      case CSV:
        return new PayloadDecoder(source, null);
      case AVRO:
        Schema writer = avroWriterSchema == null ? SourceSchemas.of(source) : avroWriterSchema;
        SchemaEvolution.requireReadable(source, writer, "the messages' Avro schema");
        return new PayloadDecoder(source, writer);
      default:
        throw new IllegalArgumentException(
            "source '" + source.name() + "': " + source.format().yamlName()
                + " messages cannot be streamed; use jsonl, csv or avro");
    }
  }

  public SourceDef source() {
    return source;
  }

  /** Decodes one message; the exception's message names the field and value. */
  public SourceRecord decode(byte[] payload, String origin) throws BadRecordException {
    if (payload == null) {
      throw new BadRecordException("the message has no value");
    }
    if (source.format() == SourceFormat.AVRO) {
      return avroDecoder().decode(datum(payload), origin);
    }
    String text = utf8(payload);
    if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - (text.endsWith("\r\n") ? 2 : 1));
    }
    return source.format() == SourceFormat.CSV
        ? decoder.fromCsv(text, columns(), origin)
        : decoder.fromJson(text, origin);
  }

  /**
   * The message as text for a dead letter: the text itself for JSON and CSV, the datum as JSON
   * for Avro, or {@code base64:...} when it is neither.
   */
  public String payloadText(byte[] payload) {
    if (payload == null) {
      return "";
    }
    try {
      return source.format() == SourceFormat.AVRO
          ? AvroRecordDecoder.toJson(datum(payload))
          : utf8(payload);
    } catch (BadRecordException | RuntimeException e) {
      return "base64:" + Base64.getEncoder().encodeToString(payload);
    }
  }

  /** Encodes a record's values as an Avro datum of {@code schema} (for producers and tests). */
  public static byte[] encodeAvro(GenericRecord record) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private GenericRecord datum(byte[] payload) throws BadRecordException {
    if (datumReader == null) {
      writerSchema = new Schema.Parser().parse(writerSchemaJson);
      datumReader = new GenericDatumReader<>(writerSchema);
    }
    try {
      BinaryDecoder in = DecoderFactory.get().binaryDecoder(payload, null);
      GenericRecord r = datumReader.read(null, in);
      if (!in.isEnd()) {
        throw new BadRecordException("not an Avro datum of the schema: bytes left over");
      }
      return r;
    } catch (IOException | RuntimeException e) {
      throw new BadRecordException("not an Avro datum of the schema: " + e.getMessage());
    }
  }

  private AvroRecordDecoder avroDecoder() {
    if (avroDecoder == null) {
      avroDecoder = new AvroRecordDecoder(source);
    }
    return avroDecoder;
  }

  private List<String> columns() {
    if (csvColumns == null) {
      csvColumns = source.fields().stream().map(Field::name).toList();
    }
    return csvColumns;
  }

  private static String utf8(byte[] payload) throws BadRecordException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(payload))
          .toString();
    } catch (CharacterCodingException e) {
      throw new BadRecordException("the message is not UTF-8 text");
    }
  }
}
