package io.featurepipe.transforms.sideinput;

import java.io.Serializable;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * A side input that a DoFn reads once per bundle and window rather than once per element. Within
 * a bundle a side input's value for a window does not change, so every runner gives the same
 * values as reading it per element.
 *
 * <p>Why: Beam's Flink runner formats the view's description into a message on every {@code
 * sideInput} call, whether the call fails or not, and then looks up the broadcast value again. A
 * join that read two side inputs for every offline row spent a noticeable share of its CPU
 * formatting those messages.
 *
 * <pre>{@code
 * private final BundleSideInput<Map<K, V>> hot = BundleSideInput.of(hotView); // ParDo.withSideInputs(hotView)
 *
 * @StartBundle public void start() { hot.reset(); }
 *
 * @ProcessElement public void process(ProcessContext c, BoundedWindow w) {
 *   Map<K, V> m = hot.get(c, w);
 * }
 * }</pre>
 */
public final class BundleSideInput<T> implements Serializable {
  private static final long serialVersionUID = 1L;

  private final PCollectionView<T> view;
  private transient BoundedWindow window;
  private transient T value;

  private BundleSideInput(PCollectionView<T> view) {
    this.view = view;
  }

  public static <T> BundleSideInput<T> of(PCollectionView<T> view) {
    return new BundleSideInput<>(view);
  }

  public PCollectionView<T> view() {
    return view;
  }

  /** The side input's value for {@code window} (the element's), read at most once per bundle and window. */
  public T get(DoFn<?, ?>.ProcessContext c, BoundedWindow window) {
    if (this.window == null || !this.window.equals(window)) {
      value = c.sideInput(view);
      this.window = window;
    }
    return value;
  }

  /** Forgets the value read: call it when a bundle starts. */
  public void reset() {
    window = null;
    value = null;
  }
}
