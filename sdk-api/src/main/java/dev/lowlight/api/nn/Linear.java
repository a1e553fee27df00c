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
 * A fully connected layer with PyTorch's parameter names and layout ({@code weight} {@code [out,
 * in]}, {@code bias} {@code [out]}): {@code y = x·Wᵀ + b} over the last axis of an input of any
 * rank, lowered to ONNX {@code MatMul} with the transposed weight plus {@code Add}.
 *
 * <pre>{@code
 * Linear fc6 = Linear.builder().setInFeatures(256 * 7 * 7).setOutFeatures(1024).build();
 * }</pre>
 */
public final class Linear extends AbstractBlock implements OnnxLowerable {

  private final int inFeatures;
  private final int outFeatures;
  private final Parameter weight;
  private final Parameter bias;

  Linear(Builder b) {
    this.inFeatures = b.inFeatures;
    this.outFeatures = b.outFeatures;
    this.weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
        .optInitializer(b.weightInit != null ? b.weightInit : TorchInit.pytorchDefault(b.inFeatures))
        .optShape(new Shape(outFeatures, inFeatures)).build());
    this.bias = b.bias
        ? addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
            .optInitializer(b.biasInit != null ? b.biasInit : TorchInit.pytorchDefault(b.inFeatures))
            .optShape(new Shape(outFeatures)).build())
        : null;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The {@code weight} parameter, {@code [out, in]}. */
  public Parameter weight() {
    return weight;
  }

  /** The {@code bias} parameter, or null when built without bias. */
  public Parameter bias() {
    return bias;
  }

  /** Input features (last axis of the input). */
  public int inFeatures() {
    return inFeatures;
  }

  /** Output features. */
  public int outFeatures() {
    return outFeatures;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    if (x.getShape().dimension() == 0 || x.getShape().get(x.getShape().dimension() - 1) != inFeatures) {
      throw new IllegalArgumentException("Linear expects the last axis of its input to have " + inFeatures
          + " features, got shape " + x.getShape());
    }
    NDArray w = ps.getValue(weight, x.getDevice(), training);
    NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
    return ai.djl.nn.core.Linear.linear(x, w, b);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    long[] dims = in.getShape().clone();
    dims[dims.length - 1] = outFeatures;
    return new Shape[] {new Shape(dims)};
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    String wt = scope.node("Transpose").input(scope.parameter("weight", weight.getArray())).attr("perm", 1L, 0L)
        .output();
    String y = scope.node("MatMul").input(inputs.get(0), wt).output();
    if (bias != null) {
      y = scope.node("Add").input(y, scope.parameter("bias", bias.getArray())).output();
    }
    return List.of(y);
  }

  @Override
  public String toString() {
    return "Linear(" + inFeatures + ", " + outFeatures + (bias == null ? ", bias=false" : "") + ")";
  }

  /** Builder: {@code set*} fields are required, {@code opt*} fields have defaults. */
  public static final class Builder {
    private int inFeatures = -1;
    private int outFeatures = -1;
    private boolean bias = true;
    private ai.djl.training.initializer.Initializer weightInit;
    private ai.djl.training.initializer.Initializer biasInit;

    Builder() {}

    /** Features of the input's last axis, at least 1. */
    public Builder setInFeatures(int v) {
      inFeatures = v;
      return this;
    }

    /** Features of the output's last axis, at least 1. */
    public Builder setOutFeatures(int v) {
      outFeatures = v;
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
    public Linear build() {
      validate();
      return new Linear(this);
    }

    /** Checks every field and names the first bad one. */
    public void validate() {
      if (inFeatures < 1) {
        throw new IllegalArgumentException("inFeatures must be set to a value >= 1, got " + inFeatures);
      }
      if (outFeatures < 1) {
        throw new IllegalArgumentException("outFeatures must be set to a value >= 1, got " + outFeatures);
      }
    }
  }
}
