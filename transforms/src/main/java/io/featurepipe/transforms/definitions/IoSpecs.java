package io.featurepipe.transforms.definitions;

import io.featurepipe.transforms.model.IoSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a source's {@code bounded:} or {@code unbounded:} setting into an {@link IoSpec}: exactly
 * one kind, with the settings that kind knows.
 *
 * <pre>
 * bounded:   {path: "payments/{date}.jsonl"}
 * bounded:   {jdbc: {url: ..., query: ..., user: ..., password_env: ..., driver: ..., fetch_size: ...}}
 *            (the query may hold {from} and {to}: the start and end of a run's date range)
 * unbounded: {kafka: {bootstrap: ..., topic: ..., group_id: ...}}
 * unbounded: {pubsub: {subscription: ... | topic: ..., timestamp_attribute: ...}}   (attribute required)
 * unbounded: {folder: {path: ..., poll_interval: 10s}}
 * </pre>
 */
final class IoSpecs {
  private IoSpecs() {}

  static final List<String> BOUNDED_KINDS = List.of("path", "jdbc");
  static final List<String> UNBOUNDED_KINDS = List.of("kafka", "pubsub", "folder");

  private static final Map<String, List<String>> SETTINGS =
      Map.of(
          "jdbc", List.of("url", "query", "user", "password_env", "driver", "fetch_size"),
          "kafka", List.of("bootstrap", "topic", "group_id"),
          "pubsub", List.of("subscription", "topic", "timestamp_attribute"),
          "folder", List.of("path", "poll_interval"));

  private static final Map<String, List<String>> REQUIRED =
      Map.of(
          "jdbc", List.of("url", "query"),
          "kafka", List.of("bootstrap", "topic"),
          // element timestamps must be event times: PubsubIO takes them from this attribute
          "pubsub", List.of("timestamp_attribute"),
          "folder", List.of("path"));

  /**
   * Reads {@code key} ({@code bounded} or {@code unbounded}) of a source; null when absent or
   * wrong.
   */
  static IoSpec read(Doc doc, YamlMap source, String key, boolean required) {
    List<String> kinds = key.equals("bounded") ? BOUNDED_KINDS : UNBOUNDED_KINDS;
    int before = doc.errorCount();
    YamlMap m = source.map(key, required, kinds);
    if (m == null) {
      return null;
    }
    if (m.entries().size() != 1) {
      if (m.isEmpty() && doc.errorCount() == before) {
        doc.error(m.node(), key, "expected one of " + String.join(", ", kinds));
      } else if (!m.isEmpty()) {
        YamlMap.Entry second = m.entries().stream().skip(1).findFirst().orElseThrow();
        doc.error(
            second.keyNode(),
            m.field(second.key()),
            "give one of " + String.join(", ", kinds) + ", not several");
      }
      return null;
    }
    YamlMap.Entry e = m.entries().iterator().next();
    String field = m.field(e.key());
    if (e.key().equals("path")) {
      String path = YamlMap.text(doc, e.value(), field);
      return path == null ? null : new IoSpec("path", Map.of("path", path), doc.at(e.value()));
    }
    Map<String, String> settings = settings(doc, e.key(), e.value(), field);
    return settings == null ? null : new IoSpec(e.key(), settings, doc.at(e.value()));
  }

  private static Map<String, String> settings(Doc doc, String kind, Node node, String field) {
    int before = doc.errorCount();
    YamlMap s = YamlMap.of(doc, node, field, SETTINGS.get(kind));
    if (s == null) {
      return null;
    }
    for (String r : REQUIRED.get(kind)) {
      s.require(r);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (YamlMap.Entry setting : s.entries()) {
      String value = YamlMap.text(doc, setting.value(), s.field(setting.key()));
      if (value != null) {
        checkValue(doc, setting, s.field(setting.key()), value);
        out.put(setting.key(), value);
      }
    }
    if (kind.equals("pubsub") && s.has("subscription") == s.has("topic")) {
      doc.error(node, field, "give exactly one of subscription or topic");
    }
    return doc.errorCount() == before ? Collections.unmodifiableMap(out) : null;
  }

  private static void checkValue(Doc doc, YamlMap.Entry setting, String field, String value) {
    switch (setting.key()) {
      case "fetch_size":
        if (!value.matches("[1-9][0-9]{0,8}")) {
          doc.error(setting.value(), field, "fetch_size must be a positive integer, not " + value);
        }
        break;
      case "query":
        if (value.contains("{from}") != value.contains("{to}")) {
          doc.error(
              setting.value(),
              field,
              "the query must use both {from} and {to} (the date range of a run), or neither");
        }
        break;
      case "poll_interval":
        YamlMap.duration(doc, setting.value(), field, "poll_interval", YamlMap.Sign.POSITIVE);
        break;
      default:
        break;
    }
  }
}
