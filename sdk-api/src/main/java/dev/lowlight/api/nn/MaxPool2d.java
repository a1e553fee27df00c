package dev.lowlight.api.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lowlight.api.onnx.OnnxLowerable;
import dev.lowlight.api.onnx.OnnxScope;
import java.util.List;

/**
 * 2-D max pooling with square kernel, stride and symmetric padding, floor rounding (PyTorch's
 * {@code MaxPool2d} with {@code ceil_mode=False}), lowered to ONNX {@code MaxPool}. Used by the
 * ResNet stem (k3 s2 p1), FPN's {@code LastLevelMaxPool} (k1 s2) and the non-local sub-sampling
 * (k2 s2).
 *
 * <pre>{@code
 * MaxPool2d pool = MaxPool2d.builder().setKernel(3).optStride(2).optPadding(1).build();
 * }</pre>
 */
public final class MaxPool2d extends AbstractBlock implements OnnxLowerable {

  private final int kernel;
  private final int stride;
  private final int padding;

  MaxPool2d(Builder b) {
    this.kernel = b.kernel;
    this.stride = b.stride < 1 ? b.kernel : b.stride;
    this.padding = b.padding;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(Pool.maxPool2d(inputs.singletonOrThrow(), new Shape(kernel, kernel), new Shape(stride, stride),
        new Shape(padding, padding), false));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {new Shape(in.get(0), in.get(1), outSize(in.get(2)), outSize(in.get(3)))};
  }

  /** Output size of one spatial side of {@code size} pixels. */
  public long outSize(long size) {
    return (size + 2L * padding - kernel) / stride + 1;
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    return List.of(scope.node("MaxPool").input(inputs.get(0)).attr("kernel_shape", kernel, kernel)
        .attr("strides", stride, stride).attr("pads", padding, padding, padding, padding).output());
  }

  @Override
  public String toString() {
    return "MaxPool2d(k=" + kernel + ", s=" + stride + ", p=" + padding + ")";
  }

  /** Builder: {@code setKernel} is required; the stride defaults to the kernel, as in PyTorch. */
  public static final class Builder {
    private int kernel = -1;
    private int stride = -1;
    private int padding = 0;

    Builder() {}

    /** Square kernel side, at least 1. */
    public Builder setKernel(int v) {
      kernel = v;
      return this;
    }

    /** Stride (default: the kernel side). */
    public Builder optStride(int v) {
      stride = v;
      return this;
    }

    /** Symmetric padding with minus infinity, at most half the kernel (default 0). */
    public Builder optPadding(int v) {
      padding = v;
      return this;
    }

    /** Builds the block after {@link #validate()}. */
    public MaxPool2d build() {
      validate();
      return new MaxPool2d(this);
    }

    /** Checks every field and names the first bad one. */
    public void validate() {
      if (kernel < 1) {
        throw new IllegalArgumentException("kernel must be set to a value >= 1, got " + kernel);
      }
      if (stride != -1 && stride < 1) {
        throw new IllegalArgumentException("stride must be >= 1, got " + stride);
      }
      if (padding < 0 || 2 * padding > kernel) {
        throw new IllegalArgumentException("padding must be in [0, kernel/2 = " + kernel / 2 + "], got " + padding);
      }
    }
  }
}
