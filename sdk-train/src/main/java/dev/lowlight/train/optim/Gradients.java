package dev.lowlight.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * Visits the gradients of trainable parameters, one scope per parameter: the handle to the
 * gradient and every array the visitor makes are freed when its visit ends, so a loop over tens
 * of millions of weights leaves nothing behind in the parameters' manager.
 *
 * <pre>{@code
 * Gradients.forEach(trainable, manager, (tp, p, g, scope) -> g.muli(0.5f));
 * }</pre>
 */
public final class Gradients {

  /** What to do with one parameter's gradient. */
  @FunctionalInterface
  public interface Visitor {
    /**
     * @param parameter the trainable parameter
     * @param array its value
     * @param gradient its gradient
     * @param scope the manager of this visit; attach arrays to it to free them when it ends
     * @return false to stop the walk
     */
    boolean visit(TrainableParameter parameter, NDArray array, NDArray gradient, NDManager scope);
  }

  private Gradients() {}

  /**
   * Calls {@code visitor} for every parameter with a gradient, in list order, until it returns
   * false; parameters without one (frozen, or unused by the last backward pass) are skipped.
   *
   * @param manager the parent of each visit's scope, on the parameters' device
   */
  public static void forEach(List<TrainableParameter> parameters, NDManager manager, Visitor visitor) {
    for (TrainableParameter tp : parameters) {
      NDArray p = tp.parameter().getArray();
      try (NDManager scope = manager.newSubManager()) {
        // the gradient handle is created in the array's current manager: attach the array here
        // for the visit so that the handle is this scope's, not the parameters' manager's
        scope.tempAttachAll(p);
        NDArray g = Optimizer.gradientOrNull(p);
        if (g != null && !visitor.visit(tp, p, g, scope)) {
          return;
        }
      }
    }
  }
}
