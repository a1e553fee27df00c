package dev.lowlight.denoise;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lowlight.api.config.Check;
import dev.lowlight.api.spi.Option;

/**
 * Options of the {@code non-local} and {@code weighted-non-local} denoisers.
 *
 * @param mode the pairwise function
 * @param scaled Gaussian mode only: divide the logits by sqrt(C)
 * @param subSample max-pool φ and g by 2x2
 * @param memoryBudgetMb working-set budget of the affinity
 * @param trainingMemoryMb most memory the affinity kept for the backward pass may take in training
 * @param wZInit how the output projection {@code W_z} starts, {@code random} or {@code zero}
 *     ({@link ProjectionInit}); spelled {@code w_z_init} (Jackson's own snake case would write {@code
 *     w_zinit})
 */
public record NonLocalOptions(
    @Option(value = "pairwise function: embedded-gaussian (default), gaussian or dot-product",
        values = {"embedded-gaussian", "gaussian", "dot-product"}) String mode,
    @Option("gaussian mode only: divide the logits by sqrt(C) before the softmax (Xie et al.); default false")
        boolean scaled,
    @Option("max-pool the keys and values (phi, g) 2x2 before the attention, 4x fewer keys (Wang et al.); "
        + "default false") boolean subSample,
    @Option(value = "memory budget of the affinity working set in MiB, in [1, 1048576]; query rows are processed"
        + " in chunks that fit (exact); default 512", min = 1, max = 1 << 20) int memoryBudgetMb,
    @Option(value = "in training, most MiB that the affinity kept for the backward pass (N·HW·HW' floats) may take,"
        + " in [1, 16777216]; a larger feature map is refused with an error instead of exhausting memory; default 4096",
        min = 1, max = 1 << 24) int trainingMemoryMb,
    @Option(value = "initialisation of the output projection W_z: random (default; PyTorch's) or zero (the wNLB"
        + " authors'; with zero the branch never trains, as BN's input stays 0, and the weighted block reduces"
        + " to z = (1 - w) x + w beta, the affine-only denoiser)", values = {"random", "zero"})
        @JsonProperty("w_z_init") String wZInit) {

  /**
   * The defaults: embedded Gaussian, no scaling, no sub-sampling, 512 MiB working set, 4 GiB kept in
   * training, random {@code W_z}.
   */
  public static final NonLocalOptions DEFAULTS =
      new NonLocalOptions("embedded-gaussian", false, false, 512, 4096, "random");

  public NonLocalOptions {
    Check.oneOf("mode", Check.required("mode", mode), NonLocalMode.configNames());
    Check.range("memory_budget_mb", memoryBudgetMb, 1, 1 << 20);
    Check.range("training_memory_mb", trainingMemoryMb, 1, 1 << 24);
    Check.oneOf("w_z_init", Check.required("w_z_init", wZInit), ProjectionInit.configNames());
    if (scaled && !mode.equals(NonLocalMode.GAUSSIAN.configName())) {
      throw new Check.InvalidValueException("scaled", "applies only to mode gaussian, but mode is '" + mode + "'");
    }
  }

  /** The mode as an enum. */
  public NonLocalMode modeValue() {
    return NonLocalMode.fromConfig(mode);
  }

  /** A copy with {@code w_z_init} set to {@code init}. */
  public NonLocalOptions withProjectionInit(ProjectionInit init) {
    return new NonLocalOptions(mode, scaled, subSample, memoryBudgetMb, trainingMemoryMb, init.configName());
  }

  /** Applies these options to a builder. */
  <B extends AbstractNonLocalBlock.BaseBuilder<B>> B apply(B builder, int channels) {
    return builder.setChannels(channels).optMode(modeValue()).optScaled(scaled).optSubSample(subSample)
        .optMemoryBudgetBytes((long) memoryBudgetMb << 20).optTrainingMemoryBytes((long) trainingMemoryMb << 20)
        .optProjectionInit(ProjectionInit.fromConfig(wZInit));
  }
}
