package io.featurepipe.runners;

/** Turns failures into one readable line for the command line (no stack traces unless asked). */
final class Errors {
  private Errors() {}

  static String describe(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null
        && t.getCause() != t
        && (t.getMessage() == null
            || t instanceof org.apache.beam.sdk.Pipeline.PipelineExecutionException
            || t.getClass().getName().startsWith("java.util.concurrent"))) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }
}
