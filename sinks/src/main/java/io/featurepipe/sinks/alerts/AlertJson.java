package io.featurepipe.sinks.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.featurepipe.transforms.record.Alert;
import java.time.Instant;

/**
 * An alert as one JSON object (a line of the alert files, the body of a webhook POST):
 *
 * <pre>
 * {"severity":"ERROR","group":"user_spend","feature":"amount","check":"FLOAT_TYPE_BIG_FLOAT",
 *  "measured":250000.0,"threshold":100000.0,"window_start":"2026-01-09T00:00:00Z",
 *  "window_end":"2026-01-13T00:00:00Z","message":"..."}
 * </pre>
 *
 * {@code measured} and {@code threshold} are null when the check has no number; NaN and infinities
 * are written as strings ({@code "NaN"}, {@code "Infinity"}), which JSON numbers cannot hold.
 */
public final class AlertJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AlertJson() {}

  public static String toJson(Alert a) {
    ObjectNode o = JSON.createObjectNode();
    o.put("severity", a.severity().name());
    o.put("group", a.group());
    o.put("feature", a.feature());
    o.put("check", a.check());
    number(o, "measured", a.measured());
    number(o, "threshold", a.threshold());
    o.put("window_start", Instant.ofEpochMilli(a.windowStartMillis()).toString());
    o.put("window_end", Instant.ofEpochMilli(a.windowEndMillis()).toString());
    o.put("message", a.message());
    return o.toString();
  }

  private static void number(ObjectNode o, String field, Double v) {
    if (v == null) {
      o.putNull(field);
    } else if (Double.isFinite(v)) {
      o.put(field, v);
    } else {
      o.put(field, v.toString());
    }
  }
}
