package io.featurepipe.sinks.training;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A hot bucket's spine rows spread over its salts whatever the pattern of their ids. */
class SaltTest {

  @Test
  void rowsOfAKeyOnEveryNthLineSpreadOverEverySalt() {
    for (int every : new int[] {2, 3, 4, 6}) {
      for (int fanout : new int[] {2, 3, 4}) {
        int[] perSalt = new int[fanout];
        for (long line = 0; line < 12_000; line += every) {
          long id = (3L << 40) + line; // file 3, that line
          perSalt[(int) Math.floorMod(JoinSteps.saltHash(id), (long) fanout)]++;
        }
        int rows = (12_000 + every - 1) / every;
        for (int s = 0; s < fanout; s++) {
          assertTrue(Math.abs(perSalt[s] - rows / (double) fanout) < rows * 0.1 / fanout + 30,
              "every " + every + "th line over " + fanout + " salts: salt " + s + " got " + perSalt[s] + " of " + rows);
        }
      }
    }
  }
}
