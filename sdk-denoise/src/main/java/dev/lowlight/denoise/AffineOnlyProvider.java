package dev.lowlight.denoise;

import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.DenoisingBlock;
import dev.lowlight.api.spi.NoOptions;
import dev.lowlight.api.spi.PluginInfo;
import dev.lowlight.api.spi.SpiVersion;

/**
 * Provider of the {@code affine-only} denoiser ({@link AffineOnlyBlock}): {@code z = (1 − w)·x +
 * w·β}, learnable {@code w} from 0 and per-channel {@code β} from 0. It is what the weighted
 * non-local block becomes with the authors' initialisation ({@code w_z_init: zero}), kept as its
 * own plugin so that an experiment can compare the two.
 */
public final class AffineOnlyProvider implements DenoiserProvider<NoOptions> {

  private static final PluginInfo INFO = PluginInfo.of("affine-only", DenoiseVersion.VERSION,
      SpiVersion.MAJOR, SpiVersion.MINOR,
      "z = (1 - w) x + w beta, learnable w from 0 and per-channel beta: what a weighted non-local block with"
          + " w_z_init: zero reduces to (the control for its non-local branch).");

  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public AffineOnlyProvider() {}

  @Override
  public PluginInfo info() {
    return INFO;
  }

  @Override
  public Class<NoOptions> optionsType() {
    return NoOptions.class;
  }

  @Override
  public NoOptions defaultOptions() {
    return NoOptions.INSTANCE;
  }

  @Override
  public DenoisingBlock create(NoOptions options, int channels) {
    if (channels < 1) {
      throw new IllegalArgumentException("affine-only needs at least 1 channel, got " + channels);
    }
    return AffineOnlyBlock.builder().setChannels(channels).build();
  }
}
