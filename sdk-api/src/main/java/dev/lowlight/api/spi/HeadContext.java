package dev.lowlight.api.spi;

import dev.lowlight.api.structures.ShapeSpec;
import java.util.Map;

/**
 * What a head is built from.
 *
 * @param inputShape the feature maps the head reads, as declared by the neck
 * @param numClasses number of classes including background
 */
public record HeadContext(Map<String, ShapeSpec> inputShape, int numClasses) {

  public HeadContext {
    inputShape = Map.copyOf(inputShape);
    if (numClasses < 2) {
      throw new IllegalArgumentException("num_classes counts background and must be >= 2, got " + numClasses);
    }
  }
}
