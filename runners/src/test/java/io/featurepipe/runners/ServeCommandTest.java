package io.featurepipe.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The serving commands' options, without a store. */
class ServeCommandTest {

  @Test
  void bodySizes() {
    assertEquals(1 << 20, ServeCommand.bytes("1MiB"));
    assertEquals(64 * 1024, ServeCommand.bytes("64 KiB"));
    assertEquals(2_000_000, ServeCommand.bytes("2mb"));
    assertEquals(1000, ServeCommand.bytes("1000"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServeCommand.bytes("1.5MiB"));
    assertTrue(e.getMessage().contains("--max-body '1.5MiB' is not a size"), e.getMessage());
  }

  @Test
  void helpAndMissingOptions() {
    // one mixin: the five commands of the online store take the same three options
    for (String command : new String[] {"get", "serve", "audit", "stream", "materialize"}) {
      CliRun help = CliRun.of(command, "--help");
      assertEquals(0, help.exitCode(), help.err());
      assertTrue(help.out().contains("--bigtable=PROJECT/INSTANCE/TABLE"), help.out());
      assertTrue(help.out().contains("--bigtable-emulator=HOST:PORT|embedded"), help.out());
      assertTrue(help.out().contains("--online-retention=DURATION"), help.out());
    }
    CliRun noStore = CliRun.of("get", "../feature-defs/payments", "--features", "user_spend:*", "--key", "user_id=u1");
    assertEquals(2, noStore.exitCode());
    assertTrue(noStore.err().contains("Missing required option: '--bigtable=PROJECT/INSTANCE/TABLE'"), noStore.err());
    CliRun badRetention = CliRun.of("get", "../feature-defs/payments", "--features", "user_spend:*", "--key", "user_id=u1",
        "--bigtable=p/i/t", "--bigtable-emulator=localhost:1", "--online-retention=2 days");
    assertEquals(2, badRetention.exitCode());
    assertTrue(badRetention.err().contains("'--online-retention': '2 days' is not a duration"), badRetention.err());
    CliRun negative = CliRun.of("audit", "../feature-defs/payments", "--offline-root=x", "--from=2026-01-01", "--to=2026-01-01",
        "--bigtable-emulator=localhost:1", "--online-retention=-1d");
    assertEquals(2, negative.exitCode());
    assertTrue(negative.err().contains("'-1d' is negative"), negative.err());
    CliRun badServe = CliRun.of("serve", "../feature-defs/payments", "--bigtable=p/i/t", "--bigtable-emulator=localhost:1", "--max-keys=0");
    assertEquals(1, badServe.exitCode());
    assertTrue(badServe.err().contains("--max-keys must be at least 1, not 0"), badServe.err());
    // a detached stream outlives the command, and with it an emulator the command started
    CliRun detached = CliRun.of("stream", "../feature-defs/payments", "--bigtable-emulator=embedded",
        "--runner=FlinkRunner", "--flinkMaster=localhost:1", "--attachedMode=false");
    assertEquals(2, detached.exitCode(), detached.out());
    assertTrue(detached.err().contains("--attachedMode=false ends the command once the job is submitted"), detached.err());
    CliRun local = CliRun.of("stream", "../feature-defs/payments", "--bigtable-emulator=localhost:1",
        "--runner=FlinkRunner", "--flinkMaster=[local]", "--attachedMode=false");
    assertEquals(2, local.exitCode(), local.out());
    assertTrue(local.err().contains("and with it a Flink mini-cluster in this process"), local.err());
    CliRun auto = CliRun.of("stream", "../feature-defs/payments", "--bigtable-emulator=localhost:1",
        "--runner=FlinkRunner", "--attachedMode=false");
    assertEquals(2, auto.exitCode(), auto.out());
    assertTrue(auto.err().contains("and with it a Flink mini-cluster in this process"), auto.err());
  }
}
