package dev.lowlight.api.nn;

import ai.djl.ndarray.NDArray;

/**
 * The memory layout rule of the SDK's layers: what reaches a 1x1 convolution on the CPU, and what a
 * denoiser hands to the next stage of a backbone, is dense (contiguous {@code N×C×H×W}).
 *
 * <p>Why: PyTorch 2.7.1's oneDNN chooses the blocking of a 1x1 convolution over a channels-last
 * input ({@code brgemm_convolution_utils::brg_blocking_t::est_eff_1x1}) by dividing by the CPU's
 * cache sizes; on virtual machines whose CPUID reports none (this project's CI and build machines,
 * many clouds), some shapes divide by zero, the process gets SIGFPE and the JVM dies. Measured
 * here: a 1x1 convolution 1024 → 512 over a channels-last {@code N×1024×H×W} view crashes at
 * every size tried (25x34 to 100x134), 1024 → 256 and 512 → 256 do not. A channels-last view
 * appears without anyone asking for it: {@code transpose} then {@code reshape} (as attention
 * does with its {@code N×HW×C} result) gives a view with channels-last strides, and PyTorch's
 * element-wise operations and batch norm keep the layout of their first operand. The dense copy
 * costs one pass over the tensor and nothing at all when the tensor is already dense.
 */
public final class Layouts {

  private Layouts() {}

  /**
   * {@code x} itself when it is dense, else a dense copy with the same values and the same
   * autograd history (the copy is differentiable).
   */
  public static NDArray dense(NDArray x) {
    // reshape is a view when the strides allow it; flattening a non-dense tensor is not viewable,
    // so the engine copies it in row-major order, and the second reshape is then a free view.
    // DJL's API has no contiguous() of its own.
    return x.reshape(-1).reshape(x.getShape());
  }

  /**
   * {@code x} with channels-last strides ({@code N×C×H×W} values over {@code N×H×W×C} memory): a view
   * of the same memory when it already has them, else one differentiable copy.
   *
   * <p>Why: on AVX-512, PyTorch 2.7.1's oneDNN computes the input gradient of a 3x3 convolution over
   * a dense input of few channels with non-finite values at random (measured in a program with
   * nothing of the SDK, 300 backward passes over {@code P×C×14×14}: 29 bad at 16 → 8 channels, 30 at
   * 8 → 8, none at 32 → 32 or 64 → 64, none over the channels-last view, none with {@code
   * ONEDNN_MAX_CPU_ISA=AVX2}).
   */
  public static NDArray channelsLast(NDArray x) {
    ai.djl.ndarray.types.Shape s = x.getShape();
    return x.transpose(0, 2, 3, 1).reshape(-1).reshape(s.get(0), s.get(2), s.get(3), s.get(1)).transpose(0, 3, 1, 2);
  }
}
