package io.featurepipe.sinks.online;

import com.google.api.core.ApiFuture;
import com.google.api.core.ApiFutureCallback;
import com.google.api.core.ApiFutures;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The few future conversions the asynchronous online reads need: the Bigtable client's {@link
 * ApiFuture} as a {@link CompletableFuture}, and a blocking wait that throws the failure itself
 * rather than a {@link CompletionException} around it.
 */
public final class Futures {
  private Futures() {}

  /** A future completed, on the thread that completes {@code future}, with its value or failure. */
  public static <T> CompletableFuture<T> of(ApiFuture<T> future) {
    CompletableFuture<T> out = new CompletableFuture<>();
    ApiFutures.addCallback(future, new ApiFutureCallback<T>() {
      @Override
      public void onSuccess(T value) {
        out.complete(value);
      }

      @Override
      public void onFailure(Throwable t) {
        out.completeExceptionally(t);
      }
    }, Runnable::run);
    return out;
  }

  /** The failure inside a {@link CompletionException} (as a dependent stage sees it), else {@code t}. */
  public static Throwable cause(Throwable t) {
    return t instanceof CompletionException c && c.getCause() != null ? c.getCause() : t;
  }

  /** Waits for {@code future}; its failure is thrown as it is when unchecked. */
  public static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      Throwable cause = cause(e);
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }
}
