package dev.lowlight.api.spi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Documents one component of a plugin's options record for listings and {@code --help}, and
 * optionally declares its allowed values.
 *
 * <p>A declared range or value list is enforced when a configuration is bound (the message names
 * the key, the range and the value given), shown by {@code lowlight plugins}, and used by the
 * conformance kit, which tests the block with the option at each end of its range and at each
 * listed value:
 *
 * <pre>{@code
 * public record Options(
 *     @Option(value = "window side, odd", min = 1, max = 15) int kernel,
 *     @Option(value = "pairwise function", values = {"gaussian", "dot-product"}) String mode) {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
public @interface Option {

  /** What the option does, with its unit and allowed range. */
  String value();

  /** The smallest allowed value of a numeric option; unbounded when not given. */
  double min() default Double.NEGATIVE_INFINITY;

  /** The largest allowed value of a numeric option; unbounded when not given. */
  double max() default Double.POSITIVE_INFINITY;

  /** The allowed values of a string option; any string when empty. */
  String[] values() default {};
}
