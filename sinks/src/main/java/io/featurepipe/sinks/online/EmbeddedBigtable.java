package io.featurepipe.sinks.online;

import com.google.cloud.bigtable.emulator.v2.Emulator;
import java.io.IOException;
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
    Emulator emulator = Emulator.createBundled();
    try {
      emulator.start();
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

  @Override
  public void close() {
    emulator.stop();
  }
}
