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
 * <em>random</em> by default ({@link ProjectionInit#RANDOM}). The block therefore starts as the
 * identity, and every parameter receives gradient once {@code w} moves: {@code ∂L/∂w = ⟨∂L/∂z,
 * BN(W_z y) − x⟩} is non-zero at once, then the batch norm's scale and shift, then (through a
 * non-zero scale and a non-zero {@code W_z}) θ, φ, g and {@code W_z}.
 *
 * <p>The authors' code zero-initialises {@code W_z} ({@link ProjectionInit#ZERO}, option {@code
 * w_z_init: zero}). Then the batch norm's input is 0 everywhere, its normalised value is 0, so its
 * scale γ never receives a gradient, and with γ = 0 neither do {@code W_z}, θ, φ and g: the block
 * computes {@code z = (1 − w)·x + w·β} for the whole run, the {@code affine-only} denoiser
 * ({@link AffineOnlyBlock}). That initialisation is selectable to test whether a gain attributed
 * to the block comes from this affine term alone; it is not the default because its non-local
 * part never learns.
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
