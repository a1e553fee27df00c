package dev.lowlight.model;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named loss terms of one training forward, scalars in the autograd graph, in torchvision's
 * order and with its names ({@link #NAMES}).
 *
 * @param terms name to scalar
 */
public record Losses(Map<String, NDArray> terms) {

  /** torchvision's loss names, in its order. */
  public static final List<String> NAMES = List.of("loss_objectness", "loss_rpn_box_reg", "loss_classifier",
      "loss_box_reg", "loss_mask");

  public Losses {
    terms = Collections.unmodifiableMap(new LinkedHashMap<>(terms));
  }

  /** The sum of every term (torchvision's {@code sum(loss_dict.values())}). */
  public NDArray total() {
    NDArray sum = null;
    for (NDArray t : terms.values()) {
      sum = sum == null ? t : sum.add(t);
    }
    if (sum == null) {
      throw new IllegalStateException("no loss terms");
    }
    return sum;
  }

  /** Each term's value on the host. */
  public Map<String, Double> values() {
    Map<String, Double> out = new LinkedHashMap<>();
    terms.forEach((k, v) -> out.put(k, (double) v.getFloat()));
    return out;
  }
}
