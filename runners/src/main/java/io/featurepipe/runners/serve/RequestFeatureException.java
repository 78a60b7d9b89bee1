package io.featurepipe.runners.serve;

/**
 * A request-time feature's expression failed on the values of one key (arithmetic on a null, a
 * division by zero, ...). The message names the feature, the key and CEL's reason; the feature
 * server answers it with status 422. Expressions that guard their nulls never fail.
 */
public class RequestFeatureException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RequestFeatureException(String message) {
    super(message);
  }
}
