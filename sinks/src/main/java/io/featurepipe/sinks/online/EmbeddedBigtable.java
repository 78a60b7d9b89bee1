package io.featurepipe.sinks.online;

import com.google.cloud.bigtable.emulator.v2.Emulator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeoutException;

/**
 * A Cloud Bigtable emulator started in this process from the binary bundled in
 * {@code google-cloud-bigtable-emulator} (the {@code --bigtable-emulator=embedded} option, and the
 * tests). The binary is copied to {@code java.io.tmpdir}, which must allow executables; it starts
 * in well under a second and keeps its data in memory until {@link #close()}.
 *
 * <pre>{@code
 * try (EmbeddedBigtable bigtable = EmbeddedBigtable.start()) {
 *   BigtableTarget target = BigtableTarget.parse("local/local/features").withEmulator(bigtable.hostPort());
 *   ...
 * }
 * }</pre>
 */
public final class EmbeddedBigtable implements AutoCloseable {
  private final Emulator emulator;

  private EmbeddedBigtable(Emulator emulator) {
    this.emulator = emulator;
  }

  /** Starts an emulator on a free port. */
  public static EmbeddedBigtable start() throws IOException {
    return start(0);
  }

  /**
   * Starts an emulator on {@code port} (0: a free one).
   *
   * @throws IOException when the port is taken or the emulator does not start
   */
  public static EmbeddedBigtable start(int port) throws IOException {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("a port is 0..65535, not " + port);
    }
    if (port != 0) {
      // the emulator binary would exit and leave the caller waiting for it: say so first
      try (ServerSocket probe = new ServerSocket()) {
        probe.setReuseAddress(true);
        probe.bind(new InetSocketAddress("localhost", port));
      } catch (IOException e) {
        throw new IOException("port " + port + " on localhost is taken (" + e.getMessage() + ")", e);
      }
    }
    Emulator emulator = Emulator.createBundled();
    try {
      if (port == 0) {
        emulator.start();
      } else {
        emulator.start(port);
      }
    } catch (TimeoutException e) {
      throw new IOException("the bundled Bigtable emulator did not start in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting the bundled Bigtable emulator", e);
    }
    return new EmbeddedBigtable(emulator);
  }

  public int port() {
    return emulator.getPort();
  }

  /** {@code localhost:<port>}, the value {@link BigtableTarget#withEmulator(String)} takes. */
  public String hostPort() {
    return "localhost:" + port();
  }

  /** Stops the emulator; nothing when it has stopped already (the library's own shutdown hook). */
  @Override
  public void close() {
    try {
      emulator.stop();
    } catch (IllegalStateException alreadyStopped) {
      // stopped before, e.g. by the emulator library's shutdown hook when the JVM exits
    }
  }
}
