package io.featurepipe.benchmarks.offline;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * What one timed phase of one engine cost: wall time, the process's CPU time (all threads, native
 * ones of an in-process engine included), JVM garbage-collection time, and the rows it read and
 * wrote.
 */
record Measured(long wallNanos, long cpuNanos, long gcMillis, long inputRows, long outputRows) {

  /** The work of a phase: returns the rows it wrote. */
  @FunctionalInterface
  interface Work {
    long run() throws Exception;
  }

  /** Runs {@code work} after a full GC (outside the timing), timing it. */
  static Measured of(long inputRows, Work work) throws Exception {
    System.gc();
    long cpu0 = processCpuNanos();
    long gc0 = totalGcMillis();
    long t0 = System.nanoTime();
    long out = work.run();
    long wall = System.nanoTime() - t0;
    return new Measured(wall, processCpuNanos() - cpu0, totalGcMillis() - gc0, inputRows, out);
  }

  double seconds() {
    return wallNanos / 1e9;
  }

  double cpuSeconds() {
    return cpuNanos / 1e9;
  }

  /** Input rows per second of wall time. */
  double rowsPerSecond() {
    return inputRows / seconds();
  }

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static long totalGcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }
}
