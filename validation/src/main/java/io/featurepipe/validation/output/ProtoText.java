package io.featurepipe.validation.output;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;

/**
 * Text format ({@code .pbtxt}) of schemas and anomalies, as TFDV writes and reads them ({@code
 * write_schema_text} / {@code load_schema_text}).
 *
 * <pre>{@code
 * String text = ProtoText.print(schema);
 * Schema back = ProtoText.parse(text, Schema.newBuilder());
 * }</pre>
 */
public final class ProtoText {
  private static final TextFormat.Parser STRICT = TextFormat.Parser.newBuilder().build();
  private static final TextFormat.Parser LENIENT =
      TextFormat.Parser.newBuilder().setAllowUnknownFields(true).build();

  private ProtoText() {}

  public static String print(Message message) {
    return TextFormat.printer().printToString(message);
  }

  /**
   * Parses text into the builder's type.
   *
   * @throws IllegalArgumentException naming the line and column of the first mistake, including a
   *     field outside featurepipe's subset of tensorflow_metadata
   */
  @SuppressWarnings("unchecked")
  public static <M extends Message> M parse(CharSequence text, Message.Builder builder) {
    return parse(STRICT, text, builder);
  }

  /**
   * Parses text, skipping fields outside featurepipe's subset (for files TFDV wrote with e.g. {@code
   * tensor_representation_group}); those fields are lost.
   */
  public static <M extends Message> M parseLenient(CharSequence text, Message.Builder builder) {
    return parse(LENIENT, text, builder);
  }

  @SuppressWarnings("unchecked")
  private static <M extends Message> M parse(TextFormat.Parser parser, CharSequence text, Message.Builder builder) {
    try {
      parser.merge(text, builder);
      return (M) builder.build();
    } catch (TextFormat.ParseException e) {
      throw new IllegalArgumentException(
          "not a valid " + builder.getDescriptorForType().getName() + " in text format: " + e.getMessage(), e);
    }
  }
}
