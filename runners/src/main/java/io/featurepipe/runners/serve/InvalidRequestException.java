package io.featurepipe.runners.serve;

/**
 * A request that cannot be answered as asked: an unknown feature, a missing key column, a bad
 * time, a value of the wrong type. The message says what is wrong, for the caller: {@code get}
 * prints it, the feature server answers it with status 400.
 */
public class InvalidRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidRequestException(String message) {
    super(message);
  }
}
