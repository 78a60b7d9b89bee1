package io.featurepipe.sinks.online;

import java.util.Map;

/**
 * One group's values for one key, as read from the online store as of a time {@code t}.
 *
 * @param values every feature of the group by name, in definition order, as the Java types of
 *     {@link io.featurepipe.transforms.record.FeatureRow} values (the empty values of DESIGN §2 where
 *     the store holds no cell)
 * @param windowEndMillis {@code e* = min(e(t), M)}: the window end the values are as of
 * @param fresh whether {@code e* == e(t)}: the store had written the window end the time rules ask
 *     for; when false the values are those of the older window end {@code e*}
 */
public record OnlineValues(String group, String version, Map<String, Object> values, long windowEndMillis, boolean fresh) {}
