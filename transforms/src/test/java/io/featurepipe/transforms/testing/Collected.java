package io.featurepipe.transforms.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * Collects a PCollection's elements into memory under a name, for tests on runners that run in
 * this JVM (Direct, Flink's embedded mini-cluster), so assertions can say exactly what differs.
 */
public final class Collected {
  private static final Map<String, ConcurrentLinkedQueue<Object>> BOXES = new ConcurrentHashMap<>();

  private Collected() {}

  /** A sink that adds every element to the named box. */
  public static <T> PTransform<PCollection<T>, PDone> into(String box) {
    BOXES.computeIfAbsent(box, n -> new ConcurrentLinkedQueue<>());
    return new PTransform<>() {
      @Override
      public PDone expand(PCollection<T> input) {
        // (PTransform has a field called "name": the box name must not be called that)
        input.apply("Collect", ParDo.of(new AddFn<T>(box)));
        return PDone.in(input.getPipeline());
      }
    };
  }

  /** The elements collected under a name so far. */
  @SuppressWarnings("unchecked")
  public static <T> List<T> get(String name) {
    return new ArrayList<>((ConcurrentLinkedQueue<T>) (ConcurrentLinkedQueue<?>) BOXES.getOrDefault(name, new ConcurrentLinkedQueue<>()));
  }

  public static void clear(String name) {
    BOXES.remove(name);
  }

  private static final class AddFn<T> extends DoFn<T, Void> {
    private final String name;

    AddFn(String name) {
      this.name = name;
    }

    @ProcessElement
    public void process(@Element T element) {
      if (element == null) {
        throw new IllegalStateException("null element collected into " + name);
      }
      BOXES.computeIfAbsent(name, n -> new ConcurrentLinkedQueue<>()).add(element);
    }
  }
}
