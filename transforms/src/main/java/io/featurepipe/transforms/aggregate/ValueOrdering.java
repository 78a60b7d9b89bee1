package io.featurepipe.transforms.aggregate;

import java.util.Comparator;

/**
 * The total order of values of one column type (DESIGN §2), used by {@code min}, {@code max},
 * {@code top_k} and for the ties of {@code first}, {@code last} and {@code last_k}:
 *
 * <ul>
 *   <li>{@code int} and {@code timestamp} ({@link Long}): numerically.
 *   <li>{@code double} ({@link Double}): as {@link Double#compare}: numerically, {@code -0.0} before
 *       {@code 0.0}, NaN last (all NaNs equal).
 *   <li>{@code string} ({@link String}): lexicographically by Unicode code point. This differs from
 *       {@link String#compareTo}, which compares UTF-16 units and so puts a supplementary character
 *       (a surrogate pair, U+10000 and up) before U+E000..U+FFFF.
 *   <li>{@code bool} ({@link Boolean}): {@code false} before {@code true}.
 * </ul>
 */
public final class ValueOrdering {

  /** {@link #compare} as a {@link Comparator} (non-null values of one type). */
  public static final Comparator<Object> COMPARATOR = ValueOrdering::compare;

  private ValueOrdering() {}

  /**
   * Compares two non-null values of the same column type.
   *
   * @throws IllegalArgumentException if the values are not of one supported type
   */
  public static int compare(Object a, Object b) {
    if (a instanceof Double x && b instanceof Double y) {
      return Double.compare(x, y);
    }
    if (a instanceof Long x && b instanceof Long y) {
      return Long.compare(x, y);
    }
    if (a instanceof String x && b instanceof String y) {
      return compareStrings(x, y);
    }
    if (a instanceof Boolean x && b instanceof Boolean y) {
      return Boolean.compare(x, y);
    }
    throw new IllegalArgumentException(
        "cannot order "
            + (a == null ? "null" : a.getClass().getName())
            + " and "
            + (b == null ? "null" : b.getClass().getName()));
  }

  /**
   * Compares two strings by Unicode code point. Equal UTF-16 prefixes are skipped; at the first
   * differing unit, surrogates (U+D800..U+DFFF) are moved above U+E000..U+FFFF, which makes the
   * UTF-16 order agree with the code point order for well-formed strings (and stays a total order
   * consistent with {@link String#equals} for any strings). No allocation.
   */
  public static int compareStrings(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        if (x >= Character.MIN_SURROGATE && y >= Character.MIN_SURROGATE) {
          return fixUp(x) - fixUp(y);
        }
        return x - y;
      }
    }
    return a.length() - b.length();
  }

  private static int fixUp(char c) {
    return c >= 0xE000 ? c - 0x800 : c + 0x2000;
  }
}
