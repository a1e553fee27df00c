package dev.lowlight.denoise;

import java.util.Arrays;
import java.util.List;

/**
 * The pairwise function of a non-local block (Wang et al. 2018, section 3.2).
 *
 * <ul>
 *   <li>{@link #EMBEDDED_GAUSSIAN}: {@code softmax_j(θ(x_i)ᵀ φ(x_j))}, θ and φ 1x1 convolutions
 *       to {@code C/2} channels; no temperature (the wNLB paper's choice).
 *   <li>{@link #GAUSSIAN}: {@code softmax_j(x_iᵀ x_j)} on the features themselves, optionally
 *       divided by {@code sqrt(C)} inside the softmax (Xie et al. 2019, feature denoising).
 *   <li>{@link #DOT_PRODUCT}: {@code θ(x_i)ᵀ φ(x_j) / K}, K the number of key positions, no
 *       softmax.
 * </ul>
 */
public enum NonLocalMode {
  EMBEDDED_GAUSSIAN("embedded-gaussian"),
  GAUSSIAN("gaussian"),
  DOT_PRODUCT("dot-product");

  private final String configName;

  NonLocalMode(String configName) {
    this.configName = configName;
  }

  /** The spelling in configuration files ({@code embedded-gaussian}). */
  public String configName() {
    return configName;
  }

  /** Whether θ and φ are learned embeddings. */
  public boolean embedded() {
    return this != GAUSSIAN;
  }

  /** Every configuration spelling, in declaration order. */
  public static List<String> configNames() {
    return Arrays.stream(values()).map(NonLocalMode::configName).toList();
  }

  /** The mode spelled {@code name} in a configuration file. */
  public static NonLocalMode fromConfig(String name) {
    for (NonLocalMode m : values()) {
      if (m.configName.equals(name)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown non-local mode '" + name + "'; valid: " + configNames());
  }
}
