package dev.lowlight.heads.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lowlight.api.nn.Scalars;

/** The element-wise pieces of the losses, written with differentiable engine operations. */
final class LossOps {

  /** torchvision's beta of the smooth-L1 box losses (RPN and RoI heads). */
  static final float BETA = 1f / 9;

  private LossOps() {}

  /**
   * Sum of {@code smooth_l1(pred - target, beta)}: {@code 0.5 d²/beta} below beta, {@code |d| -
   * beta/2} above. Written as {@code 0.5 c²/beta + (|d| - c)} with {@code c = min(|d|, beta)},
   * which is the same function with no branch and the same gradient.
   */
  static NDArray smoothL1Sum(NDArray pred, NDArray target, float beta) {
    NDArray n = pred.sub(target).abs();
    NDArray c = Scalars.minimum(n, beta);
    return Scalars.mul(c.square(), 0.5f / beta).add(n.sub(c)).sum();
  }

  /**
   * Mean of {@code binary_cross_entropy_with_logits(x, y)}, in the overflow-free form {@code
   * max(x, 0) - x·y + log(1 + exp(-|x|))}.
   */
  static NDArray bceWithLogitsMean(NDArray x, NDArray y) {
    NDArray softplus = x.abs().neg().exp().add(1f).log();
    return Scalars.maximum(x, 0f).sub(x.mul(y)).add(softplus).mean();
  }

  /** Rows {@code index} of {@code a} (along axis 0), differentiable with respect to {@code a}. */
  static NDArray rows(NDManager manager, NDArray a, long[] index) {
    NDArray idx = owned(manager.create(index)).toDevice(a.getDevice(), false);
    return a.get(new NDIndex("{}", idx));
  }

  /** A float array on the device of {@code like}. */
  static NDArray floats(NDManager manager, float[] values, Shape shape, NDArray like) {
    return owned(manager.create(values, shape)).toType(like.getDataType(), false).toDevice(like.getDevice(), false);
  }

  /**
   * A copy of {@code a} in engine-owned memory. On the CPU, PyTorch arrays made from Java data
   * point into a Java buffer that is freed once the array is closed and collected; autograd keeps
   * indices and targets for the backward pass, which runs after the scopes here have closed.
   */
  static NDArray owned(NDArray a) {
    return a.getDevice().isGpu() ? a : a.duplicate();
  }

  /**
   * A scalar zero that depends on {@code a}, so that backward runs through it (with zero
   * gradient) as it does for torchvision's {@code x.sum() * 0}.
   */
  static NDArray zeroOf(NDArray a) {
    return Scalars.mul(a.sum(), 0f);
  }

  /** Checks that {@code a} is a floating-point array of {@code rank} dimensions. */
  static void requireRank(String what, NDArray a, int rank) {
    if (a.getShape().dimension() != rank) {
      throw new IllegalArgumentException(what + " must have " + rank + " dimensions, got shape " + a.getShape());
    }
    DataType t = a.getDataType();
    if (!t.isFloating()) {
      throw new IllegalArgumentException(what + " must be floating point, got " + t);
    }
  }
}
