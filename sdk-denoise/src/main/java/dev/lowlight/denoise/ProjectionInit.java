package dev.lowlight.denoise;

import java.util.Arrays;
import java.util.List;

/**
 * How the output projection {@code W_z} of a non-local block starts (option {@code w_z_init}).
 * Either way the batch norm after it starts with scale γ = 0 and shift β = 0, so the block starts
 * as the identity.
 *
 * <ul>
 *   <li>{@link #RANDOM}: PyTorch's default initialisation of the 1x1 convolution (the default).
 *       Once {@code w} (or, in the residual block, the loss) moves γ, every parameter of the
 *       branch receives gradient.
 *   <li>{@link #ZERO}: {@code W_z = 0}, the authors' initialisation. The batch norm's input is
 *       then 0 everywhere, so its normalised value is 0, γ never receives a gradient, nor (through
 *       γ = 0) do {@code W_z}, θ, φ and g: the branch stays dead and the weighted block computes
 *       {@code z = (1 − w)·x + w·β} for ever, which is the {@code affine-only} denoiser.
 * </ul>
 */
public enum ProjectionInit {
  RANDOM("random"),
  ZERO("zero");

  private final String configName;

  ProjectionInit(String configName) {
    this.configName = configName;
  }

  /** The spelling in configuration files. */
  public String configName() {
    return configName;
  }

  /** Every configuration spelling, in declaration order. */
  public static List<String> configNames() {
    return Arrays.stream(values()).map(ProjectionInit::configName).toList();
  }

  /** The initialisation spelled {@code name} in a configuration file. */
  public static ProjectionInit fromConfig(String name) {
    for (ProjectionInit p : values()) {
      if (p.configName.equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown w_z_init '" + name + "'; valid: " + configNames());
  }
}
