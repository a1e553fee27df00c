package dev.lowlight.denoise;

import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.DenoisingBlock;
import dev.lowlight.api.spi.PluginInfo;
import dev.lowlight.api.spi.SpiVersion;

/** Provider of the {@code weighted-non-local} denoiser: weighted non-local block (wNLB), z = w BN(W_z y) + (1 - w) x with learnable w from 0 (Lin et al. 2025). */
public final class WeightedNonLocalProvider implements DenoiserProvider<NonLocalOptions> {

  private static final PluginInfo INFO = PluginInfo.of("weighted-non-local", DenoiseVersion.VERSION,
      SpiVersion.MAJOR, SpiVersion.MINOR,
      "weighted non-local block (wNLB), z = w BN(W_z y) + (1 - w) x with learnable w from 0 (Lin et al. 2025).");

  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public WeightedNonLocalProvider() {}

  @Override
  public PluginInfo info() {
    return INFO;
  }

  @Override
  public Class<NonLocalOptions> optionsType() {
    return NonLocalOptions.class;
  }

  @Override
  public NonLocalOptions defaultOptions() {
    return NonLocalOptions.DEFAULTS;
  }

  @Override
  public DenoisingBlock create(NonLocalOptions options, int channels) {
    if (channels < 1) {
      throw new IllegalArgumentException("weighted-non-local needs at least 1 channel, got " + channels);
    }
    return options.apply(WeightedNonLocalBlock.builder(), channels).build();
  }
}
