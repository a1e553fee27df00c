package dev.lowlight.runtime;

import java.util.List;

/**
 * What a {@link LowlightPredictor} found in one image, highest score first.
 *
 * @param imageHeight height of the image the boxes refer to
 * @param imageWidth width of the image the boxes refer to
 * @param instances the instances, highest score first (possibly empty)
 */
public record Detections(int imageHeight, int imageWidth, List<Instance> instances) {

  /** Copies the list. */
  public Detections {
    instances = List.copyOf(instances);
  }

  /** The number of instances. */
  public int size() {
    return instances.size();
  }

  /** Whether nothing was found. */
  public boolean isEmpty() {
    return instances.isEmpty();
  }
}
