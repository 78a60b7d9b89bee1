package io.featurepipe.transforms.expr;

/** A CEL expression that does not compile, or fails on a row; the message says where and why. */
public class ExpressionException extends Exception {
  public ExpressionException(String message) {
    super(message);
  }
}
