package dev.lowlight.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import dev.lowlight.api.onnx.OnnxLowerable;
import dev.lowlight.api.onnx.OnnxScope;
import java.util.List;

/**
 * Trainable batch normalisation with PyTorch's semantics and names ({@code weight}, {@code bias},
 * {@code running_mean}, {@code running_var}, each {@code [C]}; eps {@code 1e-5}, momentum {@code
 * 0.1}). In training mode it normalises with the batch's statistics (biased variance) and updates
 * the running statistics in place with the unbiased variance, as {@code torch.nn.BatchNorm2d};
 * in inference mode it uses the running statistics. Training runs the engine's fused kernel
 * (PyTorch's {@code batch_norm}); {@code BatchNorm2dTest} checks its statistics and momentum
 * against the definition.
 *
 * <p>The initial scale is configurable: residual branches start with scale 0 so that a block
 * added to a pretrained network starts as the identity (Goyal et al. 2017, Wang et al. 2018).
 *
 * <pre>{@code
 * BatchNorm2d bn = BatchNorm2d.builder().setChannels(512).optInitialWeight(0f).build();
 * }</pre>
 */
public final class BatchNorm2d extends AbstractBlock implements OnnxLowerable {

  private final int channels;
  private final float eps;
  private final float momentum;
  private final Parameter weight;
  private final Parameter bias;
  private final Parameter runningMean;
  private final Parameter runningVar;

  BatchNorm2d(Builder b) {
    this.channels = b.channels;
    this.eps = b.eps;
    this.momentum = b.momentum;
    this.weight = addParameter(param("weight", Parameter.Type.GAMMA, b.initialWeight, true));
    this.bias = addParameter(param("bias", Parameter.Type.BETA, b.initialBias, true));
    this.runningMean = addParameter(param("running_mean", Parameter.Type.RUNNING_MEAN, 0f, false));
    this.runningVar = addParameter(param("running_var", Parameter.Type.RUNNING_VAR, 1f, false));
  }

  private Parameter param(String name, Parameter.Type type, float init, boolean trainable) {
    return Parameter.builder().setName(name).setType(type).optShape(new Shape(channels))
        .optInitializer(new ConstantInitializer(init)).optRequiresGrad(trainable).build();
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The {@code weight} (scale) parameter. */
  public Parameter weight() {
    return weight;
  }

  /** The {@code bias} (shift) parameter. */
  public Parameter bias() {
    return bias;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    var device = x.getDevice();
    NDArray w = ps.getValue(weight, device, training).reshape(1, channels, 1, 1);
    NDArray b = ps.getValue(bias, device, training).reshape(1, channels, 1, 1);
    NDArray rm = ps.getValue(runningMean, device, training);
    NDArray rv = ps.getValue(runningVar, device, training);
    if (!training) {
      NDArray scale = w.mul(Scalars.pow(rv.reshape(1, channels, 1, 1).add(eps), -0.5f));
      return new NDList(x.sub(rm.reshape(1, channels, 1, 1)).mul(scale).add(b));
    }
    // The engine's fused kernel: one pass for the statistics and one for the output, forward and
    // backward, where the same maths in array operations took about ten passes each way (measured:
    // 40% of a ResNet-18 training step on two cores). DJL's batchNorm takes MXNet's momentum
    // (the weight of the old running value) and hands the engine 1 - momentum, PyTorch's.
    return ai.djl.nn.norm.BatchNorm.batchNorm(x, rm, rv, w.reshape(channels), b.reshape(channels), 1,
        1f - momentum, eps, true);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    return List.of(scope.node("BatchNormalization").input(inputs.get(0),
            scope.parameter("weight", weight.getArray()), scope.parameter("bias", bias.getArray()),
            scope.parameter("running_mean", runningMean.getArray()),
            scope.parameter("running_var", runningVar.getArray()))
        .attr("epsilon", eps).output());
  }

  @Override
  public String toString() {
    return "BatchNorm2d(" + channels + ")";
  }

  /** Builder: {@code setChannels} is required. */
  public static final class Builder {
    private int channels = -1;
    private float eps = 1e-5f;
    private float momentum = 0.1f;
    private float initialWeight = 1f;
    private float initialBias = 0f;

    Builder() {}

    /** Number of channels, at least 1. */
    public Builder setChannels(int v) {
      channels = v;
      return this;
    }

    /** Epsilon added to the variance (default 1e-5). */
    public Builder optEps(float v) {
      eps = v;
      return this;
    }

    /** PyTorch-convention momentum of the running statistics, in (0, 1] (default 0.1). */
    public Builder optMomentum(float v) {
      momentum = v;
      return this;
    }

    /** Initial value of every scale entry (default 1; 0 makes a residual branch start silent). */
    public Builder optInitialWeight(float v) {
      initialWeight = v;
      return this;
    }

    /** Initial value of every shift entry (default 0). */
    public Builder optInitialBias(float v) {
      initialBias = v;
      return this;
    }

    /** Builds the block after {@link #validate()}. */
    public BatchNorm2d build() {
      validate();
      return new BatchNorm2d(this);
    }

    /** Checks every field and names the first bad one. */
    public void validate() {
      if (channels < 1) {
        throw new IllegalArgumentException("channels must be set to a value >= 1, got " + channels);
      }
      if (!(eps > 0)) {
        throw new IllegalArgumentException("eps must be > 0, got " + eps);
      }
      if (!(momentum > 0 && momentum <= 1)) {
        throw new IllegalArgumentException("momentum must be in (0, 1], got " + momentum);
      }
    }
  }
}
