package dev.lowlight.denoise;

import dev.lowlight.api.config.Check;
import dev.lowlight.api.spi.Option;

/**
 * Options of the {@code mean-filter} and {@code median-filter} denoisers.
 *
 * @param kernel odd window side
 */
public record FilterOptions(
    @Option(value = "odd window side k of the k x k filter, in {1, 3, 5, 7, 9}; default 3", min = 1, max = 9)
    int kernel) {

  /** The default: 3x3. */
  public static final FilterOptions DEFAULTS = new FilterOptions(3);

  public FilterOptions {
    Check.range("kernel", kernel, 1, 9);
    if (kernel % 2 == 0) {
      throw new Check.InvalidValueException("kernel", "must be odd, got " + kernel);
    }
  }
}
