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
}
