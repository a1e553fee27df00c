package dev.lowlight.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * The gradient path of an operation computed outside the autograd graph (on the host, in plain
 * Java), whose result enters the graph as a leaf. DJL has no custom autograd functions, so such an
 * operation hands its gradient on in two steps: a first backward pass fills {@link #leaf()}'s
 * gradient; {@link #sourceGradients} turns it into the gradients of the operation's inputs, which
 * are arrays of the graph ({@link #sources()}); a second backward pass carries those on (as the
 * gradient of {@code Σ sum(source ⊙ gradient)}, whose gradient with respect to each source is its
 * given gradient). The SDK's CPU RoIAlign uses it: its forward and backward are vectorised Java
 * loops, deterministic, and several times faster than any composition of engine operations.
 */
public interface DeferredGradient {

  /** The result that entered the graph as a leaf requiring gradient. */
  NDArray leaf();

  /** The inputs of the operation, arrays of the autograd graph. */
  NDList sources();

  /**
   * The gradient of each of {@link #sources()}, in order, given the gradient of {@link #leaf()};
   * created in {@code leafGradient}'s manager.
   */
  NDList sourceGradients(NDArray leafGradient);

  /**
   * {@code Σ sum(source ⊙ gradient)} over the sources of every bridge: the term whose backward pass
   * carries the bridges' gradients into the graph; {@code null} when no leaf received a gradient.
   */
  static NDArray carrier(List<DeferredGradient> bridges) {
    NDArray sum = null;
    for (DeferredGradient b : bridges) {
      NDArray g = b.leaf().getGradient();
      if (g == null) {
        continue;
      }
      NDList grads = b.sourceGradients(g);
      NDList sources = b.sources();
      for (int i = 0; i < sources.size(); i++) {
        NDArray term = sources.get(i).mul(grads.get(i)).sum();
        sum = sum == null ? term : sum.add(term);
      }
    }
    return sum;
  }
}
