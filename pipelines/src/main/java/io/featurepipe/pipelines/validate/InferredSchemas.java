package io.featurepipe.pipelines.validate;

import io.featurepipe.validation.output.ValidationFiles;
import io.featurepipe.validation.output.ValidationLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.metadata.v0.Feature;
import org.tensorflow.metadata.v0.Schema;
import org.tensorflow.metadata.v0.StringDomain;

/**
 * Compares the schema inferred from a run's data ({@code inferred_schema.pbtxt}, TFDV's rules)
 * with the schema from the definitions the run validated against ({@code schema.pbtxt}), for a
 * person writing {@code expect} sections: per column, what the data shows that the definitions do
 * not ask for — always present, a small set of strings, only 0 and 1, another type. Nothing here
 * is used to validate.
 *
 * <pre>{@code
 * System.out.print(InferredSchemas.review("out/validation", List.of("user_spend/input")));
 * //   user_spend/input: out/validation/user_spend/input/inferred_schema.pbtxt
 * //     currency: 7 values (AED, BRL, CHF, EUR, GBP, PLN, USD) where the definitions allow any
 * }</pre>
 */
public final class InferredSchemas {
  /** Values listed per string domain before "...". */
  private static final int LISTED = 10;

  private InferredSchemas() {}

  /** The review of the given datasets ({@code <name>/<kind folder>}) under an output root. */
  public static String review(String root, List<String> datasets) throws IOException {
    StringBuilder b = new StringBuilder("inferred schemas (for review, not used to validate):").append(System.lineSeparator());
    for (String d : datasets) {
      String dir = ValidationLayout.join(root, d);
      String inferredPath = ValidationLayout.join(dir, ValidationLayout.INFERRED_SCHEMA);
      if (!ValidationFiles.exists(inferredPath)) {
        continue;
      }
      b.append("  ").append(d).append(": ").append(inferredPath).append(System.lineSeparator());
      for (String line : differences(ValidationFiles.readSchema(ValidationLayout.join(dir, ValidationLayout.SCHEMA)),
          ValidationFiles.readSchema(inferredPath))) {
        b.append("    ").append(line).append(System.lineSeparator());
      }
    }
    return b.toString();
  }

  /** One line per column the inferred schema constrains beyond the declared one. */
  static List<String> differences(Schema declared, Schema inferred) {
    Map<String, Feature> byName = new HashMap<>();
    declared.getFeatureList().forEach(f -> byName.put(f.getName(), f));
    Map<String, StringDomain> domains = new HashMap<>();
    inferred.getStringDomainList().forEach(d -> domains.put(d.getName(), d));
    List<String> out = new ArrayList<>();
    for (Feature f : inferred.getFeatureList()) {
      Feature d = byName.get(f.getName());
      List<String> notes = new ArrayList<>();
      if (d == null) {
        notes.add("not in the definitions");
      } else if (d.getType() != f.getType()) {
        notes.add("looks like " + f.getType() + " where the definitions say " + d.getType());
      }
      double declaredPresence = d == null || !d.hasPresence() ? 0 : d.getPresence().getMinFraction();
      if (f.getPresence().getMinFraction() == 1.0 && declaredPresence < 1.0) {
        notes.add("always present (definitions: presence " + (declaredPresence == 0 ? "not required" : declaredPresence) + ")");
      }
      if (f.hasBoolDomain() && (d == null || !d.hasBoolDomain())) {
        notes.add("only 0 and 1");
      }
      if (f.hasDomain() && domains.containsKey(f.getDomain()) && (d == null || !(d.hasStringDomain() || d.hasDomain()))) {
        List<String> values = domains.get(f.getDomain()).getValueList();
        notes.add(values.size() + " values (" + String.join(", ", values.subList(0, Math.min(LISTED, values.size())))
            + (values.size() > LISTED ? ", ..." : "") + ") where the definitions allow any");
      }
      if (!notes.isEmpty()) {
        out.add(f.getName() + ": " + String.join("; ", notes));
      }
    }
    return out;
  }
}
