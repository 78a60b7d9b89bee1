package io.featurepipe.transforms.definitions;

import io.featurepipe.transforms.model.Location;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML mapping being read, with the path of its field in the definition ({@code features[2]}).
 * Reading it reports, to the document, unknown keys (with the closest known key), duplicate keys,
 * missing required keys and values of the wrong shape, each at the offending node. Typed getters
 * return null when the value is absent or wrong, so a checker goes on and finds the next mistake.
 */
final class YamlMap {

  /** One key of a mapping: its text, the key node and the value node. */
  record Entry(String key, Node keyNode, Node value) {}

  /** What a duration must be. */
  enum Sign {
    POSITIVE,
    NON_NEGATIVE
  }

  private final Doc doc;
  private final Node node;
  private final String path;
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  /** Known keys that an unknown key was reported as a likely misspelling of. */
  private final Set<String> misspelled = new HashSet<>();

  private YamlMap(Doc doc, Node node, String path) {
    this.doc = doc;
    this.node = node;
    this.path = path;
  }

  /**
   * Reads a mapping whose keys must be among {@code allowedKeys} (any keys when null). Reports and
   * returns null when the node is not a mapping.
   */
  static YamlMap of(Doc doc, Node node, String path, Collection<String> allowedKeys) {
    if (!(node instanceof MappingNode mapping)) {
      doc.error(node, path.isEmpty() ? null : path, "expected a mapping, got " + describe(node));
      return null;
    }
    YamlMap map = new YamlMap(doc, node, path);
    for (NodeTuple t : mapping.getValue()) {
      map.add(t.getKeyNode(), t.getValueNode(), allowedKeys);
    }
    return map;
  }

  private void add(Node keyNode, Node value, Collection<String> allowedKeys) {
    if (!(keyNode instanceof ScalarNode s) || s.getTag().equals(Tag.NULL)) {
      doc.error(
          keyNode,
          path.isEmpty() ? null : path,
          "a key must be a plain name, not " + describe(keyNode));
      return;
    }
    String key = s.getValue();
    Entry first = entries.get(key);
    if (first != null) {
      doc.error(
          keyNode,
          field(key),
          "duplicate key '" + key + "' (first at line " + doc.at(first.keyNode()).line() + ")");
      return;
    }
    if (allowedKeys != null && !allowedKeys.contains(key)) {
      String hint = Names.suggest(key, allowedKeys);
      String closest = Names.closest(key, allowedKeys);
      if (closest != null) {
        misspelled.add(closest);
      }
      doc.error(
          keyNode,
          field(key),
          "unknown key '"
              + key
              + "'"
              + (hint.isEmpty() ? "; known keys: " + String.join(", ", allowedKeys) : hint));
      return;
    }
    entries.put(key, new Entry(key, keyNode, value));
  }

  Location location() {
    return doc.at(node);
  }

  Node node() {
    return node;
  }

  /** The path of a key of this mapping: {@code features[2].window}. */
  String field(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  boolean has(String key) {
    return entries.containsKey(key);
  }

  /** The value of a key, or null when absent. */
  Node value(String key) {
    Entry e = entries.get(key);
    return e == null ? null : e.value();
  }

  /** The keys read, in order (unknown and duplicate keys left out). */
  Collection<Entry> entries() {
    return Collections.unmodifiableCollection(entries.values());
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * Whether {@code key} is absent but an unknown key was reported as its likely misspelling, so
   * that its absence need not be reported again.
   */
  boolean misspelled(String key) {
    return !entries.containsKey(key) && misspelled.contains(key);
  }

  /**
   * The value of a required key; reports (unless {@linkplain #misspelled misspelled}) and returns
   * null when absent.
   */
  Node require(String key) {
    Entry e = entries.get(key);
    if (e == null && misspelled(key)) {
      return null;
    }
    if (e == null) {
      doc.error(node, field(key), "missing required key '" + key + "'");
      return null;
    }
    return e.value();
  }

  private Node get(String key, boolean required) {
    return required ? require(key) : value(key);
  }

  /** A scalar read as text. */
  String string(String key, boolean required) {
    Node v = get(key, required);
    return v == null ? null : text(doc, v, field(key));
  }

  boolean bool(String key, boolean fallback) {
    Node v = value(key);
    if (v == null) {
      return fallback;
    }
    Boolean b = bool(doc, v, field(key));
    return b == null ? fallback : b;
  }

  YamlMap map(String key, boolean required, Collection<String> allowedKeys) {
    Node v = get(key, required);
    return v == null ? null : of(doc, v, field(key), allowedKeys);
  }

  /** The items of a list; reports and returns null when the value is not a list. */
  List<Node> list(String key, boolean required) {
    Node v = get(key, required);
    if (v == null) {
      return null;
    }
    if (!(v instanceof SequenceNode seq)) {
      doc.error(v, field(key), "expected a list, got " + describe(v));
      return null;
    }
    return seq.getValue();
  }

  /**
   * A duration; {@code fallback} when absent and not required; null when missing or invalid
   * (reported).
   */
  Duration duration(String key, boolean required, Duration fallback, Sign sign) {
    Node v = get(key, required);
    if (v == null) {
      return required ? null : fallback;
    }
    return duration(doc, v, field(key), key, sign);
  }

  // ---- node helpers --------------------------------------------------------------------------

  static Duration duration(Doc doc, Node v, String field, String what, Sign sign) {
    String text = text(doc, v, field);
    if (text == null) {
      return null;
    }
    Duration d;
    try {
      d = Durations.parse(text);
    } catch (IllegalArgumentException e) {
      doc.error(v, field, e.getMessage());
      return null;
    }
    if (sign == Sign.POSITIVE && (d.isNegative() || d.isZero())) {
      doc.error(v, field, what + " must be positive, not " + text);
      return null;
    }
    if (sign == Sign.NON_NEGATIVE && d.isNegative()) {
      doc.error(v, field, what + " must not be negative, not " + text);
      return null;
    }
    return d;
  }

  /** A non-null scalar's text; reports and returns null for anything else. */
  static String text(Doc doc, Node v, String field) {
    if (v instanceof ScalarNode s && !s.getTag().equals(Tag.NULL)) {
      return s.getValue();
    }
    doc.error(v, field, "expected a string, got " + describe(v));
    return null;
  }

  static Boolean bool(Doc doc, Node v, String field) {
    if (v instanceof ScalarNode s && s.getTag().equals(Tag.BOOL)) {
      String t = s.getValue().toLowerCase(Locale.ROOT);
      if (t.equals("true") || t.equals("false")) {
        return t.equals("true");
      }
    }
    doc.error(v, field, "expected true or false, got " + describe(v));
    return null;
  }

  static Long integer(Doc doc, Node v, String field) {
    if (v instanceof ScalarNode s && s.getTag().equals(Tag.INT)) {
      try {
        return Long.parseLong(s.getValue());
      } catch (NumberFormatException e) {
        // fall through: hex, octal and 1_000 forms are not accepted
      }
    }
    doc.error(v, field, "expected an integer, got " + describe(v));
    return null;
  }

  static Double number(Doc doc, Node v, String field) {
    if (v instanceof ScalarNode s && (s.getTag().equals(Tag.INT) || s.getTag().equals(Tag.FLOAT))) {
      try {
        return Double.parseDouble(s.getValue());
      } catch (NumberFormatException e) {
        // fall through
      }
    }
    doc.error(v, field, "expected a number, got " + describe(v));
    return null;
  }

  /** The node as a plain Java value (String, Long, Double, Boolean, null, List, Map). */
  static Object plain(Node v) {
    if (v instanceof MappingNode m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (NodeTuple t : m.getValue()) {
        Object k = plain(t.getKeyNode());
        out.put(String.valueOf(k), plain(t.getValueNode()));
      }
      return Collections.unmodifiableMap(out);
    }
    if (v instanceof SequenceNode seq) {
      List<Object> out = new ArrayList<>();
      for (Node n : seq.getValue()) {
        out.add(plain(n));
      }
      return Collections.unmodifiableList(out);
    }
    ScalarNode s = (ScalarNode) v;
    Tag tag = s.getTag();
    try {
      if (tag.equals(Tag.NULL)) {
        return null;
      }
      if (tag.equals(Tag.BOOL)) {
        String t = s.getValue().toLowerCase(Locale.ROOT);
        return Boolean.valueOf(t.equals("true") || t.equals("yes") || t.equals("on"));
      }
      if (tag.equals(Tag.INT)) {
        return Long.parseLong(s.getValue());
      }
      if (tag.equals(Tag.FLOAT)) {
        return Double.parseDouble(s.getValue());
      }
    } catch (NumberFormatException e) {
      return s.getValue();
    }
    return s.getValue();
  }

  /** How a node looks, for messages: {@code a list}, {@code nothing}, {@code 'abc'}. */
  static String describe(Node v) {
    if (v instanceof MappingNode) {
      return "a mapping";
    }
    if (v instanceof SequenceNode) {
      return "a list";
    }
    if (v instanceof ScalarNode s) {
      return s.getTag().equals(Tag.NULL) && s.getValue().isEmpty()
          ? "nothing"
          : "'" + s.getValue() + "'";
    }
    return "a " + v.getNodeId();
  }
}
