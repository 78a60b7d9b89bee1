package io.featurepipe.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart as a user runs it: plan and a bounded computation on the bundled sample. */
class QuickstartIT {

  @Test
  void runsEndToEndOnTheBundledSample(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("quickstart", "--workdir", dir.toString());
    assertEquals(0, run.exitCode(), run.err() + run.out());
    String out = run.out();
    assertTrue(out.contains("-- 1. plan"), out);
    assertTrue(out.contains("group user_spend  v"), out);
    // the sample manifest: 17,271 valid payments, 49 bad lines; 3,107 logins, 8 bad lines
    assertTrue(out.contains("17,271 records read, 49 undecodable"), out);
    assertTrue(out.contains("3,107 records read, 8 undecodable"), out);
    assertTrue(out.contains("dead letters in all: 57"), out);
    Matcher rows = Pattern.compile("group  user_spend +([0-9,]+) feature rows").matcher(out);
    assertTrue(rows.find(), out);
    long spendRows = Long.parseLong(rows.group(1).replace(",", ""));
    Path spendFiles = dir.resolve("compute/features/user_spend");
    long written = 0;
    for (Path f : Files.list(spendFiles).toList()) {
      written += Files.lines(f).count();
    }
    assertEquals(spendRows, written);
    List<Path> dead = Files.list(dir.resolve("compute/dead-letters")).toList();
    long deadLines = 0;
    for (Path f : dead) {
      deadLines += Files.lines(f).filter(l -> l.contains("\"reason\"") && l.contains("\"origin\"")).count();
    }
    assertEquals(57, deadLines);
  }
}
