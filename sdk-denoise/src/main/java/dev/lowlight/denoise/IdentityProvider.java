package dev.lowlight.denoise;

import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.DenoisingBlock;
import dev.lowlight.api.spi.PluginInfo;
import dev.lowlight.api.spi.SpiVersion;

/** Provider of the {@code identity} denoiser: the identity, no parameters (the no-denoising baseline). */
public final class IdentityProvider implements DenoiserProvider<dev.lowlight.api.spi.NoOptions> {

  private static final PluginInfo INFO = PluginInfo.of("identity", DenoiseVersion.VERSION,
      SpiVersion.MAJOR, SpiVersion.MINOR,
      "the identity, no parameters (the no-denoising baseline).");

  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public IdentityProvider() {}

  @Override
  public PluginInfo info() {
    return INFO;
  }

  @Override
  public Class<dev.lowlight.api.spi.NoOptions> optionsType() {
    return dev.lowlight.api.spi.NoOptions.class;
  }

  @Override
  public dev.lowlight.api.spi.NoOptions defaultOptions() {
    return dev.lowlight.api.spi.NoOptions.INSTANCE;
  }

  @Override
  public DenoisingBlock create(dev.lowlight.api.spi.NoOptions options, int channels) {
    if (channels < 1) {
      throw new IllegalArgumentException("identity needs at least 1 channel, got " + channels);
    }
    return new IdentityBlock();
  }
}
