package io.featurepipe.validation.stats;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.validation.columns.Column;
import io.featurepipe.validation.columns.DatasetColumns;
import io.featurepipe.validation.columns.DatasetKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded random datasets covering every column kind and the special values. */
final class RandomDatasets {
  static final DatasetColumns COLUMNS =
      new DatasetColumns(
          "random",
          DatasetKind.SOURCE,
          List.of(
              new Column("count", ColumnType.INT64, false, Column.Origin.SOURCE),
              new Column("amount", ColumnType.DOUBLE, false, Column.Origin.SOURCE),
              new Column("category", ColumnType.STRING, false, Column.Origin.SOURCE),
              new Column("flag", ColumnType.BOOL, false, Column.Origin.SOURCE),
              new Column("ts", ColumnType.TIMESTAMP, false, Column.Origin.SOURCE),
              new Column("tags", ColumnType.STRING, true, Column.Origin.FEATURE),
              new Column("scores", ColumnType.DOUBLE, true, Column.Origin.FEATURE)));

  private RandomDatasets() {}

  static List<Object[]> examples(long seed, int n, boolean specials) {
    Random r = new Random(seed);
    List<Object[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Object[] row = new Object[COLUMNS.size()];
      row[0] = r.nextInt(10) == 0 ? null : (long) (r.nextGaussian() * 1000);
      row[1] = amount(r, specials);
      row[2] = r.nextInt(20) == 0 ? null : category(r);
      row[3] = r.nextInt(7) == 0 ? null : r.nextBoolean();
      row[4] = 1_767_225_600_000_000_000L + (long) (r.nextDouble() * 86_400e9);
      if (r.nextInt(4) != 0) {
        List<Object> tags = new ArrayList<>();
        for (int k = r.nextInt(4); k > 0; k--) {
          tags.add(category(r));
        }
        row[5] = tags;
      }
      if (r.nextInt(3) != 0) {
        List<Object> scores = new ArrayList<>();
        for (int k = r.nextInt(3); k > 0; k--) {
          scores.add(r.nextDouble());
        }
        row[6] = scores;
      }
      out.add(row);
    }
    return out;
  }

  private static Double amount(Random r, boolean specials) {
    int k = r.nextInt(100);
    if (k < 5) {
      return null;
    }
    if (k < 8) {
      return 0.0;
    }
    if (specials && k == 8) {
      return Double.NaN;
    }
    if (specials && k == 9) {
      return r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }
    double v = Math.exp(r.nextGaussian() * 2 + 3);
    return r.nextInt(10) == 0 ? -v : v;
  }

  /** Zipf-like categories, including a long tail and non-ASCII values. */
  static String category(Random r) {
    int k = (int) Math.floor(Math.pow(r.nextDouble(), 3) * 400);
    return switch (k % 5) {
      case 0 -> "c" + k;
      case 1 -> "Zürich-" + k;
      case 2 -> "東京" + k;
      case 3 -> "😀" + k;
      default -> "v" + k;
    };
  }
}
