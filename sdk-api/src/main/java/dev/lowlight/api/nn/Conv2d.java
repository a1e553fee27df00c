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
 * A 2-D convolution with PyTorch's parameter names ({@code weight} {@code [out, in/groups, k, k]},
 * {@code bias} {@code [out]}), square kernels and symmetric padding, lowered to ONNX {@code Conv}.
 *
 * <pre>{@code
 * Conv2d conv = Conv2d.builder().setInChannels(256).setOutChannels(128).setKernel(1).build();
 * }</pre>
 */
public final class Conv2d extends AbstractBlock implements OnnxLowerable {

  /** Inputs with fewer channels than this train over a channels-last view (see Layouts.channelsLast). */
  private static final int NARROW = 32;

  private final int inChannels;
  private final int outChannels;
  private final int kernel;
  private final int stride;
  private final int padding;
  private final int dilation;
  private final int groups;
  private final boolean inputGradient;
  private final Parameter weight;
  private final Parameter bias;

  Conv2d(Builder b) {
    this.inChannels = b.inChannels;
    this.outChannels = b.outChannels;
    this.kernel = b.kernel;
    this.stride = b.stride;
    this.padding = b.padding;
    this.dilation = b.dilation;
    this.groups = b.groups;
    this.inputGradient = b.inputGradient;
    this.weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
        .optInitializer(b.weightInit != null ? b.weightInit : TorchInit.pytorchDefault((long) (b.inChannels / b.groups) * b.kernel * b.kernel))
        .optShape(new Shape(outChannels, inChannels / groups, kernel, kernel)).build());
    this.bias = b.bias
        ? addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
            .optInitializer(b.biasInit != null ? b.biasInit : TorchInit.pytorchDefault((long) (b.inChannels / b.groups) * b.kernel * b.kernel))
            .optShape(new Shape(outChannels)).build())
        : null;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The {@code weight} parameter. */
  public Parameter weight() {
    return weight;
  }

  /** The {@code bias} parameter, or null when built without bias. */
  public Parameter bias() {
    return bias;
  }

  /** Output channels. */
  public int outChannels() {
    return outChannels;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray w = ps.getValue(weight, x.getDevice(), training);
    NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
    if (kernel == 1) {
      // oneDNN's 1x1 kernel over a channels-last input can divide by zero on VMs (see Layouts).
      x = Layouts.dense(x);
    } else if (training && inputGradient && x.getShape().get(1) < NARROW && !x.getDevice().isGpu()) {
      // oneDNN's input gradient of a larger kernel over a dense input of few channels can be NaN on
      // AVX-512 (see Layouts.channelsLast); the channels-last view takes another kernel. Not keyed on
      // x.hasGradient(): DJL reports false for results of operations, which are most inputs here.
      x = Layouts.channelsLast(x);
    }
    if (kernel == 1 && padding == 0 && stride > 1) {
      // The same numbers as a strided 1x1 convolution (each output reads one input pixel), but
      // through the stride-1 kernel: oneDNN's backward of strided 1x1 convolutions (ResNet's
      // downsample) divides by the CPU's cache size, which some virtual machines report as 0, and
      // the JVM dies with SIGFPE. Subsampling first also skips the pixels that are never read.
      NDArray sampled = x.get(":, :, ::" + stride + ", ::" + stride);
      return ai.djl.nn.convolutional.Conv2d.conv2d(sampled, w, b, new Shape(1, 1), new Shape(0, 0),
          new Shape(dilation, dilation), groups);
    }
    return ai.djl.nn.convolutional.Conv2d.conv2d(x, w, b,
        new Shape(stride, stride), new Shape(padding, padding), new Shape(dilation, dilation), groups);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {new Shape(in.get(0), outChannels, outSize(in.get(2)), outSize(in.get(3)))};
  }

  private long outSize(long size) {
    return (size + 2L * padding - (long) dilation * (kernel - 1) - 1) / stride + 1;
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    var node = scope.node("Conv").input(inputs.get(0), scope.parameter("weight", weight.getArray()));
    if (bias != null) {
      node.input(scope.parameter("bias", bias.getArray()));
    }
    return List.of(node.attr("kernel_shape", kernel, kernel).attr("strides", stride, stride)
        .attr("pads", padding, padding, padding, padding).attr("dilations", dilation, dilation)
        .attr("group", (long) groups).output());
  }

  @Override
  public String toString() {
    return "Conv2d(" + inChannels + ", " + outChannels + ", k=" + kernel + ", s=" + stride + ", p=" + padding
        + (dilation != 1 ? ", d=" + dilation : "") + (groups != 1 ? ", g=" + groups : "") + ")";
  }

  /** Builder: {@code set*} fields are required, {@code opt*} fields have defaults. */
  public static final class Builder {
    private int inChannels = -1;
    private int outChannels = -1;
    private int kernel = -1;
    private int stride = 1;
    private int padding = 0;
    private int dilation = 1;
    private int groups = 1;
    private boolean bias = true;
    private boolean inputGradient = true;
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

    /** Symmetric zero padding on every side. */
    public Builder optPadding(int v) {
      padding = v;
      return this;
    }

    public Builder optDilation(int v) {
      dilation = v;
      return this;
    }

    public Builder optGroups(int v) {
      groups = v;
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

    /** Whether the convolution has a bias (default true). */
    public Builder optBias(boolean v) {
      bias = v;
      return this;
    }

    /**
     * Whether training may need the gradient of the input (default true). False only for a
     * convolution that reads the network's image, such as a backbone's stem: it then skips the
     * channels-last copy that a training convolution of fewer than 32 input channels takes on the
     * CPU (see {@link Layouts#channelsLast}), and keeps the dense layout of what follows it.
     */
    public Builder optInputGradient(boolean v) {
      inputGradient = v;
      return this;
    }

    /** Builds the block after {@link #validate()}. */
    public Conv2d build() {
      validate();
      return new Conv2d(this);
    }

    /** Checks every field and names the first bad one. */
    public void validate() {
      positive("inChannels", inChannels);
      positive("outChannels", outChannels);
      positive("kernel", kernel);
      positive("stride", stride);
      positive("dilation", dilation);
      positive("groups", groups);
      if (padding < 0) {
        throw new IllegalArgumentException("padding must be >= 0, got " + padding);
      }
      if (inChannels % groups != 0 || outChannels % groups != 0) {
        throw new IllegalArgumentException("groups=" + groups + " must divide inChannels=" + inChannels
            + " and outChannels=" + outChannels);
      }
    }

    private static void positive(String name, int v) {
      if (v < 1) {
        throw new IllegalArgumentException(name + " must be set to a value >= 1, got " + v);
      }
    }
  }
}
