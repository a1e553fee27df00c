package dev.lowlight.denoise;

import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.DenoisingBlock;
import dev.lowlight.api.spi.SpiVersion;

/** Provider of the {@code identity} denoiser: the identity, no parameters (the no-denoising baseline). */
public final class IdentityProvider implements DenoiserProvider<dev.lowlight.api.spi.NoOptions> {

  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public IdentityProvider() {}

  @Override
  public String name() {
    return "identity";
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
    return "the identity, no parameters (the no-denoising baseline).";
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
