package io.featurepipe.runners.template;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a Flex Template's metadata says about a pipeline option, beyond its Beam {@code
 * @Description} (the help text) and {@code @Validation.Required} (not optional). Put it on the
 * getter of every option of a template's options interface; {@link TemplateMetadata} reads it by
 * reflection, so the metadata is never written by hand:
 *
 * <pre>{@code
 * @Description("Location of the feature repository: a folder of YAML definitions.")
 * @Validation.Required
 * @TemplateParameter(order = 1, label = "Feature repository", regexes = "^(gs://|/).+$",
 *     example = "gs://my-bucket/feature-defs/payments")
 * String getFeatureRepository();
 * }</pre>
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface TemplateParameter {
  /** Position in the template's parameter list (ascending; ties keep name order). */
  int order();

  /** The short label the Dataflow console shows. */
  String label();

  /** Regular expressions a value must match (Dataflow checks them before launching). */
  String[] regexes() default {};

  /** A valid value, shown in the docs and used by the tests to parse the metadata back. */
  String example();
}
