package io.featurepipe.runners;

import io.featurepipe.sinks.online.EmbeddedBigtable;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code featurepipe emulator}: the Cloud Bigtable emulator bundled with featurepipe, on a fixed
 * port until stopped, so that the online commands can be tried in separate processes ({@code
 * materialize}, then {@code get}, {@code serve}, {@code audit} with {@code
 * --bigtable-emulator=localhost:PORT}). {@code --bigtable-emulator=embedded} starts one per command
 * instead, gone when that command ends.
 */
@Command(
    name = "emulator",
    mixinStandardHelpOptions = true,
    description = {
      "Run the Cloud Bigtable emulator bundled with featurepipe until stopped (Ctrl-C, SIGTERM),",
      "for trying the online commands in separate processes with --bigtable-emulator=localhost:PORT.",
      "It keeps its data in memory: everything written is gone when it stops."
    })
final class EmulatorCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "8086", description = "Port on localhost (default: ${DEFAULT-VALUE}, the emulator's usual one).")
  int port;

  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicReference<EmbeddedBigtable> running = new AtomicReference<>();

  @Override
  public Integer call() throws Exception {
    if (port < 1 || port > 65_535) {
      System.err.println("featurepipe: --port must be 1..65535, not " + port);
      return 2;
    }
    EmbeddedBigtable bigtable;
    try {
      bigtable = EmbeddedBigtable.start(port);
      running.set(bigtable);
    } catch (IOException e) {
      System.err.println("featurepipe: could not start the Bigtable emulator: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "bigtable-emulator-stop"));
    System.out.printf(
        "Bigtable emulator on %s (in memory; Ctrl-C stops it): give the online commands --bigtable-emulator=%s%n",
        bigtable.hostPort(), bigtable.hostPort());
    System.out.flush();
    stopped.await();
    return 0;
  }

  /** Stops the emulator (once; later calls do nothing) and lets {@link #call()} return. */
  void stop() {
    EmbeddedBigtable b = running.getAndSet(null);
    if (b != null) {
      b.close();
    }
    stopped.countDown();
  }
}
