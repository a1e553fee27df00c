package dev.lowlight.model;

import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import dev.lowlight.api.nn.DeferredGradient;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The named loss terms of one training forward, scalars in the autograd graph, in torchvision's
 * order and with its names ({@link #NAMES}), and how to run their backward pass ({@link
 * #backward}): in one pass, or in two when an operation computed on the host (the CPU RoIAlign)
 * hands its gradient on through a {@link DeferredGradient}.
 *
 * @param terms name to scalar
 * @param deferred the gradients that host-computed operations defer to a second pass
 * @param firstPass the terms whose graph ends at the deferred operations' leaves (run first)
 */
public record Losses(Map<String, NDArray> terms, List<DeferredGradient> deferred, Set<String> firstPass) {

  /** torchvision's loss names, in its order. */
  public static final List<String> NAMES = List.of("loss_objectness", "loss_rpn_box_reg", "loss_classifier",
      "loss_box_reg", "loss_mask");

  public Losses {
    terms = Collections.unmodifiableMap(new LinkedHashMap<>(terms));
    deferred = List.copyOf(deferred);
    firstPass = Set.copyOf(firstPass);
  }

  /** Terms whose backward pass autograd runs on its own. */
  public Losses(Map<String, NDArray> terms) {
    this(terms, List.of(), Set.of());
  }

  /** The sum of every term (torchvision's {@code sum(loss_dict.values())}). */
  public NDArray total() {
    return sum(terms.keySet());
  }

  private NDArray sum(Set<String> names) {
    NDArray sum = null;
    for (Map.Entry<String, NDArray> t : terms.entrySet()) {
      if (names.contains(t.getKey())) {
        sum = sum == null ? t.getValue() : sum.add(t.getValue());
      }
    }
    if (sum == null) {
      throw new IllegalStateException("no loss terms among " + names);
    }
    return sum;
  }

  /** Each term's value on the host. */
  public Map<String, Double> values() {
    Map<String, Double> out = new LinkedHashMap<>();
    terms.forEach((k, v) -> out.put(k, (double) v.getFloat()));
    return out;
  }

  /** The backward pass of {@link #total()}. */
  public void backward(GradientCollector gc) {
    backward(gc, UnaryOperator.identity(), null);
  }

  /**
   * The backward pass of {@code scale(total + extra)}: gradients accumulate into the parameters as
   * one pass over that expression would give them.
   *
   * @param scale applied to the loss before its backward pass (e.g. division by the accumulation count)
   * @param extra a term added to the total before scaling (e.g. data parallel's {@code 0·Σp}), or null
   */
  public void backward(GradientCollector gc, UnaryOperator<NDArray> scale, NDArray extra) {
    if (deferred.isEmpty()) {
      NDArray total = total();
      gc.backward(scale.apply(extra == null ? total : total.add(extra)));
      return;
    }
    gc.backward(scale.apply(sum(firstPass)));
    Set<String> rest = new java.util.LinkedHashSet<>(terms.keySet());
    rest.removeAll(firstPass);
    NDArray second = scale.apply(extra == null ? sum(rest) : sum(rest).add(extra));
    NDArray carrier = DeferredGradient.carrier(deferred);
    gc.backward(carrier == null ? second : second.add(carrier));
  }
}
