package dev.lowlight.api.spi;

import dev.lowlight.api.structures.RgbImage;
import java.util.Map;

/**
 * Turns a clean sRGB image into a synthetic low-light one.
 *
 * <p>Deterministic: the same image and seed give the same output, bit for bit, on every machine
 * and thread. Every random draw must come from a generator seeded with {@code seed}. Thread-safe:
 * one instance serves many threads.
 */
public interface LowLightSynthesizer {

  /** The dark image and the parameters drawn for it. */
  Result synthesize(RgbImage clean, long seed);

  /**
   * A synthesised image with the per-image parameters that regenerate it.
   *
   * @param image the dark image, same size as the input
   * @param parameters every drawn parameter by name (numbers, strings or lists), recorded in the
   *     dataset's sidecar
   */
  record Result(RgbImage image, Map<String, Object> parameters) {

    public Result {
      parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
    }
  }
}
