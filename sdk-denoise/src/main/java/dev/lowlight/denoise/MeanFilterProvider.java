package dev.lowlight.denoise;

import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.DenoisingBlock;
import dev.lowlight.api.spi.SpiVersion;

/** Provider of the {@code mean-filter} denoiser: k x k mean filter in residual form z = x + BN(W_z mean(x)) (Xie et al. 2019). */
public final class MeanFilterProvider implements DenoiserProvider<FilterOptions> {

  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public MeanFilterProvider() {}

  @Override
  public String name() {
    return "mean-filter";
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
    return "k x k mean filter in residual form z = x + BN(W_z mean(x)) (Xie et al. 2019).";
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
