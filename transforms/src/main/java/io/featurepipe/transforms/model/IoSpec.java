package io.featurepipe.transforms.model;

import java.io.Serializable;
import java.util.Map;

/**
 * Where a source is read from, as written under {@code bounded:} or {@code unbounded:}: a kind
 * ({@code path}, {@code jdbc}, {@code kafka}, {@code pubsub}, {@code folder}) and its settings as
 * strings. The ingestion code of each kind interprets the settings; the loader checks their names.
 */
public record IoSpec(String kind, Map<String, String> settings, Location location)
    implements Serializable {

  public String get(String key) {
    return settings.get(key);
  }

  public String getOrDefault(String key, String fallback) {
    return settings.getOrDefault(key, fallback);
  }
}
