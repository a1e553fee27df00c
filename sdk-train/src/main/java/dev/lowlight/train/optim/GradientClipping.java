package dev.lowlight.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * Global gradient norm and PyTorch's {@code clip_grad_norm_}: with {@code total} the 2-norm of
 * every gradient together, each gradient is multiplied by {@code min(1, maxNorm / (total +
 * 1e-6))}.
 */
public final class GradientClipping {

  private GradientClipping() {}

  /** The 2-norm of all gradients together (0 when none has a gradient). */
  public static double globalNorm(List<TrainableParameter> parameters, NDManager manager) {
    double[] sum = {0};
    Gradients.forEach(parameters, manager, (tp, p, g, scope) -> {
      float n = g.norm().getFloat();
      sum[0] += (double) n * n;
      return true;
    });
    return Math.sqrt(sum[0]);
  }

  /**
   * Clips in place to {@code maxNorm} and returns the norm before clipping.
   *
   * @param maxNorm the largest allowed global norm, {@code > 0}
   */
  public static double clip(List<TrainableParameter> parameters, double maxNorm, NDManager manager) {
    if (!(maxNorm > 0)) {
      throw new IllegalArgumentException("max gradient norm must be > 0, got " + maxNorm);
    }
    double total = globalNorm(parameters, manager);
    double coef = Math.min(1.0, maxNorm / (total + 1e-6));
    if (coef < 1.0) {
      scale(parameters, coef, manager);
    }
    return total;
  }

  /** The first parameter whose gradient holds a NaN or an infinity, or null when all are finite. */
  public static String firstNonFinite(List<TrainableParameter> parameters, NDManager manager) {
    String[] first = {null};
    Gradients.forEach(parameters, manager, (tp, p, g, scope) -> {
      if (!Float.isFinite(g.abs().max().getFloat())) {
        first[0] = tp.name();
        return false;
      }
      return true;
    });
    return first[0];
  }

  /** Multiplies every gradient by {@code factor} in place. */
  public static void scale(List<TrainableParameter> parameters, double factor, NDManager manager) {
    Gradients.forEach(parameters, manager, (tp, p, g, scope) -> {
      g.muli((float) factor);
      return true;
    });
  }

  /** Sets every gradient to zero in place, ready for the next accumulation. */
  public static void zero(List<TrainableParameter> parameters, NDManager manager) {
    Gradients.forEach(parameters, manager, (tp, p, g, scope) -> {
      // an assignment, not arithmetic: g - g and g * 0 keep an inf or NaN that a bad step left
      // in the gradient, and every later step would then be NaN as well
      g.set(new NDIndex("..."), 0f);
      return true;
    });
  }
}
