package io.featurepipe.transforms.decode;

/** A record that cannot be decoded; the message names the field and the value. */
public class BadRecordException extends Exception {
  public BadRecordException(String message) {
    super(message);
  }
}
