package io.featurepipe.sinks.training;

import java.util.Locale;

/** The file format of a training set's part files. */
public enum TrainingFormat {
  /** Avro container files (snappy), exact values, the schema in each file and beside them. */
  AVRO(".avro"),
  /** TFRecord files of {@code tf.Example} ({@link TfExamples}), for {@code tf.data}. */
  TFRECORD(".tfrecord");

  private final String extension;

  TrainingFormat(String extension) {
    this.extension = extension;
  }

  /** The part files' extension, with its dot. */
  public String extension() {
    return extension;
  }

  /** {@code avro} or {@code tfrecord}, in any case; fails naming the text otherwise. */
  public static TrainingFormat parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown training-set format '" + text + "': use avro or tfrecord");
    }
  }
}
