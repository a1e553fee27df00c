package dev.lowlight.denoise;

import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.DenoisingBlock;
import dev.lowlight.api.spi.PluginInfo;
import dev.lowlight.api.spi.SpiVersion;

/** Provider of the {@code mean-filter} denoiser: k x k mean filter in residual form z = x + BN(W_z mean(x)) (Xie et al. 2019). */
public final class MeanFilterProvider implements DenoiserProvider<FilterOptions> {

  private static final PluginInfo INFO = PluginInfo.of("mean-filter", DenoiseVersion.VERSION,
      SpiVersion.MAJOR, SpiVersion.MINOR,
      "k x k mean filter in residual form z = x + BN(W_z mean(x)) (Xie et al. 2019).");

  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public MeanFilterProvider() {}

  @Override
  public PluginInfo info() {
    return INFO;
  }

  @Override
  public Class<FilterOptions> optionsType() {
    return FilterOptions.class;
  }

  @Override
  public FilterOptions defaultOptions() {
    return FilterOptions.DEFAULTS;
  }

  @Override
  public DenoisingBlock create(FilterOptions options, int channels) {
    if (channels < 1) {
      throw new IllegalArgumentException("mean-filter needs at least 1 channel, got " + channels);
    }
    return FeatureFilterBlock.builder().setChannels(channels).setKind(FeatureFilterBlock.Kind.MEAN).optKernel(options.kernel()).build();
  }
}
