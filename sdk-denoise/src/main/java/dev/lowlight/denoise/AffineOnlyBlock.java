package dev.lowlight.denoise;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import dev.lowlight.api.onnx.OnnxScope;
import dev.lowlight.api.spi.DenoisingBlock;
import java.util.List;

/**
 * The control that a weighted non-local block with the authors' initialisation reduces to: {@code
 * z = (1 − w)·x + w·β}, with one learnable scalar {@code w} (parameter {@code w}, shape {@code
 * [1]}, starting at 0) and one learnable shift per channel {@code β} (parameter {@code beta}, shape
 * {@code [C]}, starting at 0). With {@code W_z = 0} the wNLB's batch norm sees only zeros and
 * returns its shift β whatever the input, so {@code w·BN(W_z y) + (1 − w)·x} is exactly this block
 * (see {@link ProjectionInit#ZERO}); training it next to the wNLB separates what the non-local
 * branch adds from what the blend with a constant adds. It starts as the identity.
 *
 * <pre>{@code
 * AffineOnlyBlock control = AffineOnlyBlock.builder().setChannels(1024).build();
 * }</pre>
 */
public final class AffineOnlyBlock extends AbstractBlock implements DenoisingBlock {

  private final int channels;
  private final Parameter weight;
  private final Parameter beta;

  AffineOnlyBlock(Builder b) {
    this.channels = b.channels;
    this.weight = addParameter(Parameter.builder().setName("w").setType(Parameter.Type.OTHER)
        .optShape(new Shape(1)).optInitializer(new ConstantInitializer(0f)).build());
    this.beta = addParameter(Parameter.builder().setName("beta").setType(Parameter.Type.OTHER)
        .optShape(new Shape(b.channels)).optInitializer(new ConstantInitializer(0f)).build());
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Input and output channels. */
  public int channels() {
    return channels;
  }

  /** The blending weight {@code w}. */
  public Parameter blendWeight() {
    return weight;
  }

  /** The per-channel shift {@code β}. */
  public Parameter shift() {
    return beta;
  }

  /** Reports the learnt {@code w}, as the weighted non-local block does, so the two compare side by side. */
  @Override
  public java.util.Map<String, Double> inspect() {
    return java.util.Map.of("w", (double) weight.getArray().toFloatArray()[0]);
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    Shape s = x.getShape();
    if (s.dimension() != 4 || s.get(1) != channels) {
      throw new IllegalArgumentException("AffineOnlyBlock built for " + channels + " channels expects N×" + channels
          + "×H×W input, got " + s);
    }
    NDArray w = ps.getValue(weight, x.getDevice(), training);
    NDArray b = ps.getValue(beta, x.getDevice(), training).reshape(1, channels, 1, 1);
    // The same arithmetic as the weighted non-local block's blend, with the branch replaced by β.
    return new NDList(b.mul(w).add(x.mul(w.neg().add(1f))));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    String x = inputs.get(0);
    String w = scope.parameter("w", weight.getArray());
    String b = scope.node("Reshape").input(scope.parameter("beta", beta.getArray()), scope.longs(1, channels, 1, 1))
        .output();
    String oneMinus = scope.node("Sub").input(scope.scalar(1f), w).output();
    return List.of(scope.node("Add").input(scope.node("Mul").input(b, w).output(),
        scope.node("Mul").input(x, oneMinus).output()).output());
  }

  @Override
  public String toString() {
    return "AffineOnlyBlock(" + channels + ")";
  }

  /** Builder of {@link AffineOnlyBlock}: {@code setChannels} is required. */
  public static final class Builder {
    int channels = -1;

    Builder() {}

    /** Input and output channels, at least 1. */
    public Builder setChannels(int v) {
      channels = v;
      return this;
    }

    /** Checks every field and names the first bad one. */
    public void validate() {
      if (channels < 1) {
        throw new IllegalArgumentException("channels must be set to a value >= 1, got " + channels);
      }
    }

    /** Builds the block after {@link #validate()}. */
    public AffineOnlyBlock build() {
      validate();
      return new AffineOnlyBlock(this);
    }
  }
}
