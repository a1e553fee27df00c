package dev.lowlight.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lowlight.api.onnx.OnnxLowerable;
import dev.lowlight.api.onnx.OnnxScope;
import java.util.List;

/**
 * A 2-D transposed convolution with PyTorch's parameter names and layout ({@code weight} {@code
 * [in, out, k, k]}, {@code bias} {@code [out]}), square kernel, stride and symmetric padding, no
 * groups or dilation, lowered to ONNX {@code ConvTranspose}. Mask R-CNN's {@code conv5_mask} is
 * {@code k=2, s=2}: it doubles the side of its input.
 *
 * <pre>{@code
 * ConvTranspose2d up = ConvTranspose2d.builder().setInChannels(256).setOutChannels(256)
 *     .setKernel(2).optStride(2).build();
 * }</pre>
 */
public final class ConvTranspose2d extends AbstractBlock implements OnnxLowerable {

  private final int inChannels;
  private final int outChannels;
  private final int kernel;
  private final int stride;
  private final int padding;
  private final Parameter weight;
  private final Parameter bias;

  ConvTranspose2d(Builder b) {
    this.inChannels = b.inChannels;
    this.outChannels = b.outChannels;
    this.kernel = b.kernel;
    this.stride = b.stride;
    this.padding = b.padding;
    this.weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
        .optInitializer(b.weightInit != null ? b.weightInit : TorchInit.pytorchDefault((long) b.outChannels * b.kernel * b.kernel))
        .optShape(new Shape(inChannels, outChannels, kernel, kernel)).build());
    this.bias = b.bias
        ? addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
            .optInitializer(b.biasInit != null ? b.biasInit : TorchInit.pytorchDefault((long) b.outChannels * b.kernel * b.kernel))
            .optShape(new Shape(outChannels)).build())
        : null;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The {@code weight} parameter, {@code [in, out, k, k]}. */
  public Parameter weight() {
    return weight;
  }

  /** The {@code bias} parameter, or null when built without bias. */
  public Parameter bias() {
    return bias;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray w = ps.getValue(weight, x.getDevice(), training);
    NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
    // DJL's PyTorch engine has no deconvolution operator, so the layer is written with ops that
    // it has (and differentiates): a matrix product when the kernel tiles the output exactly,
    // otherwise zero insertion followed by an ordinary convolution with the flipped kernel.
    NDArray y = kernel == stride && padding == 0 ? tiled(x, w) : dilatedConv(x, w);
    if (b != null) {
      y = y.add(b.reshape(1, outChannels, 1, 1));
    }
    return new NDList(y);
  }

  /**
   * k == s, p == 0: every input pixel writes its own k×k patch, a 1×1 convolution to {@code
   * out·k·k} channels followed by a reshuffle (a 1×1 convolution rather than a matrix product
   * because the engine's convolution is bitwise deterministic from run to run).
   */
  private NDArray tiled(NDArray x, NDArray w) {
    long n = x.getShape().get(0);
    long h = x.getShape().get(2);
    long wd = x.getShape().get(3);
    long kk = (long) kernel * kernel;
    NDArray w1 = w.reshape(inChannels, outChannels * kk).transpose(1, 0).reshape(outChannels * kk, inChannels, 1, 1);
    // RoIAlign's output, and the convolutions after it, keep channels-last strides: see Layouts.
    NDArray dense = Layouts.dense(x);
    NDArray patches = ai.djl.nn.convolutional.Conv2d.conv2d(dense, w1, null, new Shape(1, 1), new Shape(0, 0),
        new Shape(1, 1), 1).singletonOrThrow();
    return patches.reshape(n, outChannels, kernel, kernel, h, wd).transpose(0, 1, 4, 2, 5, 3)
        .reshape(n, outChannels, h * kernel, wd * kernel);
  }

  /** General case: insert stride-1 zeros between pixels, pad by k-1-p, convolve with the flipped kernel. */
  private NDArray dilatedConv(NDArray x, NDArray w) {
    long n = x.getShape().get(0);
    long h = x.getShape().get(2);
    long wd = x.getShape().get(3);
    NDArray up = x;
    if (stride > 1) {
      NDArray z = x.getManager().zeros(new Shape(n, inChannels, h, wd, stride - 1), x.getDataType(), x.getDevice());
      up = x.expandDims(4).concat(z, 4).reshape(n, inChannels, h, wd * stride)
          .get(":, :, :, :" + ((wd - 1) * stride + 1));
      NDArray z2 = up.getManager().zeros(new Shape(n, inChannels, h, stride - 1, (wd - 1) * stride + 1),
          x.getDataType(), x.getDevice());
      up = up.expandDims(3).concat(z2, 3).reshape(n, inChannels, h * stride, (wd - 1) * stride + 1)
          .get(":, :, :" + ((h - 1) * stride + 1) + ", :");
    }
    NDArray flipped = w.flip(2, 3).transpose(1, 0, 2, 3);
    int pad = kernel - 1 - padding;
    return ai.djl.nn.convolutional.Conv2d.conv2d(up, flipped, null, new Shape(1, 1), new Shape(pad, pad),
        new Shape(1, 1), 1).singletonOrThrow();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {new Shape(in.get(0), outChannels, outSize(in.get(2)), outSize(in.get(3)))};
  }

  private long outSize(long size) {
    return (size - 1) * stride - 2L * padding + kernel;
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    var node = scope.node("ConvTranspose").input(inputs.get(0), scope.parameter("weight", weight.getArray()));
    if (bias != null) {
      node.input(scope.parameter("bias", bias.getArray()));
    }
    return List.of(node.attr("kernel_shape", kernel, kernel).attr("strides", stride, stride)
        .attr("pads", padding, padding, padding, padding).output());
  }

  @Override
  public String toString() {
    return "ConvTranspose2d(" + inChannels + ", " + outChannels + ", k=" + kernel + ", s=" + stride + ", p="
        + padding + ")";
  }

  /** Builder: {@code set*} fields are required, {@code opt*} fields have defaults. */
  public static final class Builder {
    private int inChannels = -1;
    private int outChannels = -1;
    private int kernel = -1;
    private int stride = 1;
    private int padding = 0;
    private boolean bias = true;
    private ai.djl.training.initializer.Initializer weightInit;
    private ai.djl.training.initializer.Initializer biasInit;

    Builder() {}

    public Builder setInChannels(int v) {
      inChannels = v;
      return this;
    }

    public Builder setOutChannels(int v) {
      outChannels = v;
      return this;
    }

    /** Square kernel side. */
    public Builder setKernel(int v) {
      kernel = v;
      return this;
    }

    public Builder optStride(int v) {
      stride = v;
      return this;
    }

    /** Symmetric padding removed from every side of the output, below the kernel size. */
    public Builder optPadding(int v) {
      padding = v;
      return this;
    }

    /** The weight's initialisation (default: PyTorch's, see {@link TorchInit#pytorchDefault}). */
    public Builder optWeightInit(ai.djl.training.initializer.Initializer v) {
      weightInit = v;
      return this;
    }

    /** The bias's initialisation (default: PyTorch's, see {@link TorchInit#pytorchDefault}). */
    public Builder optBiasInit(ai.djl.training.initializer.Initializer v) {
      biasInit = v;
      return this;
    }

    /** Whether the layer has a bias (default true). */
    public Builder optBias(boolean v) {
      bias = v;
      return this;
    }

    /** Builds the block after {@link #validate()}. */
    public ConvTranspose2d build() {
      validate();
      return new ConvTranspose2d(this);
    }

    /** Checks every field and names the first bad one. */
    public void validate() {
      positive("inChannels", inChannels);
      positive("outChannels", outChannels);
      positive("kernel", kernel);
      positive("stride", stride);
      if (padding < 0 || padding >= kernel) {
        throw new IllegalArgumentException("padding must be in [0, kernel - 1] = [0, " + (kernel - 1) + "], got "
            + padding);
      }
    }

    private static void positive(String name, int v) {
      if (v < 1) {
        throw new IllegalArgumentException(name + " must be set to a value >= 1, got " + v);
      }
    }
  }
}
