package dev.lowlight.denoise;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import dev.lowlight.api.onnx.OnnxScope;

/**
 * The non-local means block (Wang et al. 2018; Xie et al. 2019 for feature denoising) in residual
 * form: {@code z = x + BN(W_z y)}, {@code y_i = Σ_j f(x_i, x_j) g(x_j)} with {@code f} chosen by
 * {@link NonLocalMode}. The batch norm's scale and shift start at 0, so the block starts as the
 * identity.
 *
 * <pre>{@code
 * NonLocalBlock nl = NonLocalBlock.builder().setChannels(1024).optSubSample(true).build();
 * }</pre>
 */
public final class NonLocalBlock extends AbstractNonLocalBlock {

  NonLocalBlock(Builder b) {
    super(b);
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  NDArray combine(ParameterStore ps, NDArray x, NDArray branch, boolean training) {
    return x.add(branch);
  }

  @Override
  String lowerCombine(OnnxScope scope, String x, String branch) {
    return scope.node("Add").input(x, branch).output();
  }

  /** Builder of {@link NonLocalBlock}. */
  public static final class Builder extends BaseBuilder<Builder> {
    Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /** Builds the block after {@link #validate()}. */
    public NonLocalBlock build() {
      validate();
      return new NonLocalBlock(this);
    }
  }
}
