package io.featurepipe.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.PrepareOnlineStore;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code featurepipe emulator}: the bundled emulator on the port asked for, until stopped. */
class EmulatorCommandTest {

  @Test
  void runsTheBundledEmulatorOnThePortUntilStopped() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    EmulatorCommand command = new EmulatorCommand();
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> exit = thread.submit(() -> new CommandLine(command).execute("--port=" + port));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!accepts(port)) {
        assertTrue(System.nanoTime() < deadline, "the emulator did not listen on port " + port);
        Thread.sleep(50);
      }
      // another process's view: a store prepared through the port
      BigtableTarget target = BigtableTarget.parse("featurepipe/local/features").withEmulator("localhost:" + port);
      PrepareOnlineStore.of(target, RepositoryOption.load(Path.of("../feature-defs/payments"))).prepare();
      command.stop();
      assertEquals(0, exit.get(30, TimeUnit.SECONDS));
      // the emulator's process ends a moment after it is told to
      long stopDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (accepts(port)) {
        assertTrue(System.nanoTime() < stopDeadline, "the emulator still listens on port " + port);
        Thread.sleep(50);
      }
    } finally {
      command.stop();
      thread.shutdownNow();
    }
  }

  @Test
  void aTakenPortIsNamed() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("localhost", 0));
      CliRun run = CliRun.of("emulator", "--port", String.valueOf(taken.getLocalPort()));
      assertEquals(1, run.exitCode(), run.out());
      assertTrue(run.err().contains("port " + taken.getLocalPort() + " on localhost is taken"), run.err());
    }
    CliRun bad = CliRun.of("emulator", "--port", "0");
    assertEquals(2, bad.exitCode());
    assertTrue(bad.err().contains("--port must be 1..65535, not 0"), bad.err());
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("localhost", port), 200);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
