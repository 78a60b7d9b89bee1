package io.featurepipe.sinks.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.jupiter.api.Test;

/** Parsing {@code --bigtable} and {@code --bigtable-emulator}. */
class BigtableTargetTest {

  @Test
  void parsesProjectInstanceTableAndAnEmulator() {
    BigtableTarget t = BigtableTarget.parse("my-project/my-instance/features");
    assertEquals("my-project", t.project());
    assertEquals("my-instance", t.instance());
    assertEquals("features", t.table());
    assertNull(t.emulator());
    BigtableTarget local = t.withEmulator("localhost:8086");
    assertEquals("localhost:8086", local.emulator());
    assertEquals(local, SerializableUtils.clone(local));
    assertEquals("other", local.withTable("other").table());
  }

  @Test
  void badSpecsSayWhatIsExpected() {
    assertEquals("--bigtable needs project/instance/table, not 'p/t'",
        assertThrows(IllegalArgumentException.class, () -> BigtableTarget.parse("p/t")).getMessage());
    assertEquals("--bigtable 'p/i/t t': the table 't t' is not a valid id (letters, digits, - _ .)",
        assertThrows(IllegalArgumentException.class, () -> BigtableTarget.parse("p/i/t t")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> BigtableTarget.parse("p//t"));
    assertEquals("--bigtable-emulator needs host:port (or 'embedded'), not 'localhost'",
        assertThrows(IllegalArgumentException.class, () -> BigtableTarget.parse("p/i/t").withEmulator("localhost")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> BigtableTarget.parse("p/i/t").withEmulator("h:70000"));
  }
}
