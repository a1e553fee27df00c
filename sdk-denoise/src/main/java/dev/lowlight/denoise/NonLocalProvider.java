package dev.lowlight.denoise;

import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.DenoisingBlock;
import dev.lowlight.api.spi.PluginInfo;
import dev.lowlight.api.spi.SpiVersion;

/** Provider of the {@code non-local} denoiser: non-local means block, z = x + BN(W_z y), chunked attention (Wang et al. 2018, Xie et al. 2019). */
public final class NonLocalProvider implements DenoiserProvider<NonLocalOptions> {

  private static final PluginInfo INFO = PluginInfo.of("non-local", DenoiseVersion.VERSION,
      SpiVersion.MAJOR, SpiVersion.MINOR,
      "non-local means block, z = x + BN(W_z y), chunked attention (Wang et al. 2018, Xie et al. 2019).");

  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public NonLocalProvider() {}

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
      throw new IllegalArgumentException("non-local needs at least 1 channel, got " + channels);
    }
    return options.apply(NonLocalBlock.builder(), channels).build();
  }
}
