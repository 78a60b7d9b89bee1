package io.featurepipe.runners.serve;

/**
 * The online store could not answer: unreachable, failing, or holding nothing yet for a group. The
 * feature server answers it with status 503 and this short message (never a stack trace).
 */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
