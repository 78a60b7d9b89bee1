package io.featurepipe.transforms.definitions;

import java.util.Collection;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Name rules of definitions, and "did you mean" suggestions for misspelled names (also used by the
 * feature server for the names in requests).
 */
public final class Names {
  private Names() {}

  /** Names of sources, entities, groups and features: they become paths, qualifiers, Avro names. */
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

  /** Column names: CEL variables and Avro field names. */
  private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** Words CEL reserves; a column so named could not be used in an expression. */
  private static final Set<String> CEL_RESERVED =
      Set.of(
          "true",
          "false",
          "null",
          "in",
          "as",
          "break",
          "const",
          "continue",
          "else",
          "for",
          "function",
          "if",
          "import",
          "let",
          "loop",
          "package",
          "namespace",
          "return",
          "var",
          "void",
          "while");

  /** Null when {@code name} is a valid definition name, else why not. */
  static String checkName(String name) {
    return NAME.matcher(name).matches()
        ? null
        : "invalid name '"
            + name
            + "': use lowercase letters, digits and _, starting with a letter";
  }

  /**
   * Reads the required {@code name} of a definition and checks it; null when missing or invalid
   * (reported).
   */
  static String readName(Doc doc, YamlMap map) {
    String name = map.string("name", true);
    if (name == null) {
      return null;
    }
    String problem = checkName(name);
    if (problem != null) {
      doc.error(map.value("name"), "name", problem);
      return null;
    }
    return name;
  }

  /** Null when {@code name} is a valid column name, else why not. */
  static String checkColumn(String name) {
    if (!COLUMN.matcher(name).matches()) {
      return "invalid column name '"
          + name
          + "': use letters, digits and _, not starting with a digit";
    }
    if (CEL_RESERVED.contains(name)) {
      return "invalid column name '" + name + "': it is a reserved word of CEL";
    }
    return null;
  }

  /**
   * {@code "; did you mean 'x'?"} for the candidate closest to {@code word} (see {@link #closest}),
   * else the empty string.
   */
  public static String suggest(String word, Collection<String> candidates) {
    String best = closest(word, candidates);
    return best == null ? "" : "; did you mean '" + best + "'?";
  }

  /**
   * The candidate closest to {@code word} when one is within edit distance 2 and closer than the
   * word is long (the first of equally close ones), else null.
   */
  static String closest(String word, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = editDistance(word, c);
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= 2 && bestDistance < word.length() ? best : null;
  }

  /** Levenshtein distance. */
  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
