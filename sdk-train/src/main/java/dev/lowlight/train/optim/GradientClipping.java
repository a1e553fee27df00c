package dev.lowlight.train.optim;

import ai.djl.ndarray.NDArray;
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
    double sum = 0;
    for (TrainableParameter tp : parameters) {
      NDArray p = tp.parameter().getArray();
      try (NDManager sub = manager.newSubManager()) {
        sub.tempAttachAll(p);
        NDArray g = Optimizer.gradientOrNull(p);
        if (g == null) {
          continue;
        }
        float n = g.norm().getFloat();
        sum += (double) n * n;
      }
    }
    return Math.sqrt(sum);
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
    for (TrainableParameter tp : parameters) {
      NDArray p = tp.parameter().getArray();
      try (NDManager sub = manager.newSubManager()) {
        sub.tempAttachAll(p);
        NDArray g = Optimizer.gradientOrNull(p);
        if (g != null && !Float.isFinite(g.abs().max().getFloat())) {
          return tp.name();
        }
      }
    }
    return null;
  }

  /** Multiplies every gradient by {@code factor} in place. */
  static void scale(List<TrainableParameter> parameters, double factor, NDManager manager) {
    for (TrainableParameter tp : parameters) {
      NDArray p = tp.parameter().getArray();
      try (NDManager sub = manager.newSubManager()) {
        sub.tempAttachAll(p);
        NDArray g = Optimizer.gradientOrNull(p);
        if (g != null) {
          g.muli((float) factor);
        }
      }
    }
  }

  /** Sets every gradient to zero in place, ready for the next accumulation. */
  public static void zero(List<TrainableParameter> parameters, NDManager manager) {
    for (TrainableParameter tp : parameters) {
      NDArray p = tp.parameter().getArray();
      try (NDManager sub = manager.newSubManager()) {
        sub.tempAttachAll(p);
        NDArray g = Optimizer.gradientOrNull(p);
        if (g == null) {
          continue;
        }
        g.subi(g);
      }
    }
  }
}
