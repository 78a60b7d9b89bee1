package io.featurepipe.runners.template;

import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.IoSpec;
import io.featurepipe.transforms.model.SourceDef;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Points Pub/Sub sources at other subscriptions than their definitions name (the {@code
 * pubsubSubscriptions} parameter of the stream template): the repository is copied with each named
 * source's {@code unbounded: {pubsub: …}} reading the given subscription instead of its
 * subscription or topic. Only where a source is read changes, so feature group versions do not.
 */
final class PubsubSubscriptions {
  private PubsubSubscriptions() {}

  /** {@code repository} with {@code subscriptions} (source name → projects/P/subscriptions/S). */
  static FeatureRepository apply(FeatureRepository repository, Map<String, String> subscriptions) {
    if (subscriptions.isEmpty()) {
      return repository;
    }
    Map<String, SourceDef> sources = new LinkedHashMap<>(repository.sources());
    subscriptions.forEach(
        (name, subscription) -> {
          SourceDef s = repository.source(name);
          if (s.unbounded() == null || !"pubsub".equals(s.unbounded().kind())) {
            throw new IllegalArgumentException(
                "pubsubSubscriptions names source '" + name + "', whose unbounded input is "
                    + (s.unbounded() == null ? "not defined" : s.unbounded().kind()) + ", not pubsub");
          }
          Map<String, String> settings = new LinkedHashMap<>(s.unbounded().settings());
          settings.remove("topic");
          settings.put("subscription", subscription);
          IoSpec unbounded = new IoSpec("pubsub", Map.copyOf(settings), s.unbounded().location());
          sources.put(
              name,
              new SourceDef(
                  s.name(), s.description(), s.format(), s.timestampColumn(), s.timestampFormat(),
                  s.fields(), s.avroSchema(), s.bounded(), unbounded, s.watermarkDelay(),
                  s.allowedLateness(), s.csvHeader(), s.csvDelimiter(), s.location()));
        });
    return new FeatureRepository(
        sources, repository.entities(), repository.groups(), repository.requestFeatures());
  }
}
