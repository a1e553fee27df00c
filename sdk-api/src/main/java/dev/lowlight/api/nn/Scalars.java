package dev.lowlight.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a Java number whose scalar operand lives in engine-owned memory.
 *
 * <p>Why this exists: DJL's PyTorch engine implements {@code NDArray.mul(Number)}, {@code div},
 * {@code pow}, {@code maximum} and {@code minimum} by wrapping the number in a tensor that points
 * into a direct {@code ByteBuffer} and closing it right after the operation. Autograd keeps that
 * tensor for the backward pass of exactly these operations (the gradient of {@code x·c} is {@code
 * c}), but its memory is freed whenever the garbage collector reclaims the buffer, so a backward
 * pass that runs after a collection reads freed memory: gradients that differ from run to run and
 * occasionally overflow. Every differentiable code path in the SDK, and every plugin that trains,
 * uses these methods instead; {@code add} and {@code sub} are safe with a number because their
 * backward pass does not read the operand. A bytecode audit in the build fails on a new direct use.
 *
 * <pre>{@code
 * NDArray y = Scalars.mul(x, 0.5f);              // not x.mul(0.5f)
 * NDArray inv = Scalars.pow(var.add(eps), -0.5f); // not .pow(-0.5f)
 * }</pre>
 */
public final class Scalars {

  private Scalars() {}

  /** A 0-dimensional array holding {@code value}, with the type and device of {@code like}, owned by the engine. */
  public static NDArray of(NDArray like, float value) {
    NDArray s = like.getManager().full(new Shape(), value, like.getDataType());
    return s.getDevice().equals(like.getDevice()) ? s : s.toDevice(like.getDevice(), false);
  }

  /** {@code x · value}. */
  public static NDArray mul(NDArray x, float value) {
    return x.mul(of(x, value));
  }

  /** {@code x / value}. */
  public static NDArray div(NDArray x, float value) {
    return x.div(of(x, value));
  }

  /** {@code x ^ value}, element-wise. */
  public static NDArray pow(NDArray x, float value) {
    return x.pow(of(x, value));
  }

  /** Element-wise {@code max(x, value)}. */
  public static NDArray maximum(NDArray x, float value) {
    return x.maximum(of(x, value));
  }

  /** Element-wise {@code min(x, value)}. */
  public static NDArray minimum(NDArray x, float value) {
    return x.minimum(of(x, value));
  }
}
