package dev.lowlight.denoise;

import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.DenoisingBlock;
import dev.lowlight.api.spi.SpiVersion;

/** Provider of the {@code weighted-non-local} denoiser: weighted non-local block (wNLB), z = w BN(W_z y) + (1 - w) x with learnable w from 0 (Lin et al. 2025). */
public final class WeightedNonLocalProvider implements DenoiserProvider<NonLocalOptions> {

  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public WeightedNonLocalProvider() {}

  @Override
  public String name() {
    return "weighted-non-local";
  }

  @Override
  public String version() {
    return DenoiseVersion.VERSION;
  }

  @Override
  public SpiVersion spiVersion() {
    return SpiVersion.of(SpiVersion.MAJOR, SpiVersion.MINOR);
  }

  @Override
  public String description() {
    return "weighted non-local block (wNLB), z = w BN(W_z y) + (1 - w) x with learnable w from 0 (Lin et al. 2025).";
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
