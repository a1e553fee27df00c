package dev.lowlight.api.structures;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named multi-scale feature maps, each {@code N×C×H×W}, with their declared shapes, in order of
 * increasing stride. A {@link dev.lowlight.api.spi.Backbone} returns its maps in an {@link NDList}
 * in the order of its {@code outputShape()}; this record pairs them with their names.
 *
 * @param shapes names and declared shapes, in order
 * @param maps the tensors, in the same order
 */
public record FeatureMaps(Map<String, ShapeSpec> shapes, NDList maps) {

  public FeatureMaps {
    shapes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(shapes));
    if (shapes.size() != maps.size()) {
      throw new IllegalArgumentException(
          "declared " + shapes.size() + " feature maps " + shapes.keySet() + " but got " + maps.size());
    }
  }

  /** The names, in order. */
  public List<String> names() {
    return new ArrayList<>(shapes.keySet());
  }

  /** The map called {@code name}. */
  public NDArray get(String name) {
    int i = names().indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("no feature map '" + name + "'; have " + shapes.keySet());
    }
    return maps.get(i);
  }
}
