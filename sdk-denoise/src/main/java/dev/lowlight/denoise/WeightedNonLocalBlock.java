package dev.lowlight.denoise;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import dev.lowlight.api.onnx.OnnxScope;

/**
 * The weighted non-local block (wNLB) of Lin, Anantrasirichai and Bull (ICASSP 2025): {@code z = w
 * · BN(W_z y) + (1 − w) · x}, with the non-local operation {@code y} of {@link NonLocalBlock} and
 * one learnable, unconstrained scalar {@code w} (parameter {@code w}, shape {@code [1]}).
 *
 * <p>Initialisation: {@code w = 0}, batch-norm scale and shift 0, and the {@code W_z} convolution
 * <em>random</em>. The block therefore starts as the identity, and every parameter receives
 * gradient once {@code w} moves: {@code ∂L/∂w = ⟨∂L/∂z, BN(W_z y) − x⟩} is non-zero at once, then
 * the batch norm's scale and shift, then (through a non-zero scale and a non-zero {@code W_z})
 * θ, φ, g and {@code W_z}. The authors' code also zero-initialises {@code W_z}, which leaves θ, φ,
 * g and {@code W_z} without gradient for ever; this SDK deliberately does not.
 *
 * <pre>{@code
 * WeightedNonLocalBlock wnlb = WeightedNonLocalBlock.builder().setChannels(512).build();
 * }</pre>
 */
public final class WeightedNonLocalBlock extends AbstractNonLocalBlock {

  private final Parameter weight;

  WeightedNonLocalBlock(Builder b) {
    super(b);
    this.weight = addParameter(Parameter.builder().setName("w").setType(Parameter.Type.OTHER)
        .optShape(new Shape(1)).optInitializer(new ConstantInitializer(b.initialWeight)).build());
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The blending weight {@code w}. */
  public Parameter blendWeight() {
    return weight;
  }

  /** The blending weight {@code w}: how much of the non-local branch the block mixes in. */
  @Override
  public java.util.Map<String, Double> inspect() {
    return java.util.Map.of("w", (double) weight.getArray().toFloatArray()[0]);
  }

  @Override
  NDArray combine(ParameterStore ps, NDArray x, NDArray branch, boolean training) {
    NDArray w = ps.getValue(weight, x.getDevice(), training);
    // (1 - w) * x + w * branch, written as x + w * (branch - x) would change rounding at w = 0.
    return branch.mul(w).add(x.mul(w.neg().add(1f)));
  }

  @Override
  String lowerCombine(OnnxScope scope, String x, String branch) {
    String w = scope.parameter("w", weight.getArray());
    String oneMinus = scope.node("Sub").input(scope.scalar(1f), w).output();
    return scope.node("Add").input(scope.node("Mul").input(branch, w).output(),
        scope.node("Mul").input(x, oneMinus).output()).output();
  }

  /** Builder of {@link WeightedNonLocalBlock}. */
  public static final class Builder extends BaseBuilder<Builder> {
    float initialWeight;

    Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /** Initial {@code w} (default 0, the paper's; other values only for experiments). */
    public Builder optInitialWeight(float v) {
      initialWeight = v;
      return this;
    }

    /** Builds the block after {@link #validate()}. */
    public WeightedNonLocalBlock build() {
      validate();
      if (!Float.isFinite(initialWeight)) {
        throw new IllegalArgumentException("initialWeight must be finite, got " + initialWeight);
      }
      return new WeightedNonLocalBlock(this);
    }
  }
}
