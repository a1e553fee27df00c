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
 * Batch normalisation with fixed statistics and affine parameters, as torchvision's {@code
 * FrozenBatchNorm2d}: {@code y = (x - running_mean) / sqrt(running_var + eps) * weight + bias},
 * eps {@code 1e-5}, in training and inference alike. All four parameters ({@code weight}, {@code
 * bias}, {@code running_mean}, {@code running_var}, each {@code [C]}) are created frozen, so no
 * optimiser touches them; pretrained detectors fine-tune with it because their batches are too
 * small for batch statistics. Lowered to ONNX {@code BatchNormalization} (inference form), so the
 * initializers keep the four state-dict names.
 *
 * <pre>{@code
 * FrozenBatchNorm2d bn = FrozenBatchNorm2d.builder().setChannels(64).build();
 * }</pre>
 */
public final class FrozenBatchNorm2d extends AbstractBlock implements OnnxLowerable {

  /** torchvision's epsilon. */
  public static final float EPS = 1e-5f;

  private final int channels;
  private final Parameter weight;
  private final Parameter bias;
  private final Parameter runningMean;
  private final Parameter runningVar;

  FrozenBatchNorm2d(Builder b) {
    this.channels = b.channels;
    this.weight = addParameter(frozen("weight", Parameter.Type.GAMMA, 1f));
    this.bias = addParameter(frozen("bias", Parameter.Type.BETA, 0f));
    this.runningMean = addParameter(frozen("running_mean", Parameter.Type.RUNNING_MEAN, 0f));
    this.runningVar = addParameter(frozen("running_var", Parameter.Type.RUNNING_VAR, 1f));
  }

  private Parameter frozen(String name, Parameter.Type type, float init) {
    return Parameter.builder().setName(name).setType(type).optShape(new Shape(channels))
        .optInitializer(new ConstantInitializer(init)).optRequiresGrad(false).build();
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Channels normalised. */
  public int channels() {
    return channels;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    var device = x.getDevice();
    NDArray w = ps.getValue(weight, device, training);
    NDArray b = ps.getValue(bias, device, training);
    NDArray mean = ps.getValue(runningMean, device, training);
    NDArray var = ps.getValue(runningVar, device, training);
    // Same order of operations as torchvision, so parity fixtures match to float rounding.
    NDArray scale = w.mul(Scalars.pow(var.add(EPS), -0.5f));
    NDArray shift = b.sub(mean.mul(scale));
    Shape s = new Shape(1, channels, 1, 1);
    return new NDList(x.mul(scale.reshape(s)).add(shift.reshape(s)));
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
        .attr("epsilon", EPS).output());
  }

  @Override
  public String toString() {
    return "FrozenBatchNorm2d(" + channels + ")";
  }

  /** Builder: {@code setChannels} is required. */
  public static final class Builder {
    private int channels = -1;

    Builder() {}

    /** Number of channels, at least 1. */
    public Builder setChannels(int v) {
      channels = v;
      return this;
    }

    /** Builds the block after {@link #validate()}. */
    public FrozenBatchNorm2d build() {
      validate();
      return new FrozenBatchNorm2d(this);
    }

    /** Checks every field and names the first bad one. */
    public void validate() {
      if (channels < 1) {
        throw new IllegalArgumentException("channels must be set to a value >= 1, got " + channels);
      }
    }
  }
}
