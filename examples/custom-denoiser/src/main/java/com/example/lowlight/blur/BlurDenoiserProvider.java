package com.example.lowlight.blur;

import dev.lowlight.api.config.Check;
import dev.lowlight.api.spi.DenoiserProvider;
import dev.lowlight.api.spi.DenoisingBlock;
import dev.lowlight.api.spi.Option;
import dev.lowlight.api.spi.PluginInfo;
import dev.lowlight.api.spi.SpiVersion;

/**
 * A third-party denoiser: a fixed Gaussian blur of each channel, mixed back through a learnable
 * 1x1 convolution and a gate that starts at 0, {@code z = x + gamma * conv1x1(blur(x))}. Named
 * {@code gaussian-blur} in configurations.
 */
public final class BlurDenoiserProvider implements DenoiserProvider<BlurDenoiserProvider.Options> {

  /**
   * Options of the blur denoiser.
   *
   * @param sigma standard deviation of the Gaussian, in feature-map pixels
   */
  public record Options(
      @Option(value = "standard deviation of the blur in feature-map pixels, 0.3..3", min = 0.3, max = 3.0)
      double sigma) {
    public Options {
      Check.range("sigma", sigma, 0.3, 3.0);
    }
  }

  // SpiVersion.MAJOR and MINOR are constants: inlined when this jar is compiled
  private static final PluginInfo INFO = PluginInfo.of("gaussian-blur", "1.0.0", SpiVersion.MAJOR, SpiVersion.MINOR,
      "Gaussian blur of each channel behind a learnable 1x1 conv and a zero-initialised gate (example plugin)");

  @Override
  public PluginInfo info() {
    return INFO;
  }

  @Override
  public Class<Options> optionsType() {
    return Options.class;
  }

  @Override
  public Options defaultOptions() {
    return new Options(1.0);
  }

  @Override
  public DenoisingBlock create(Options options, int channels) {
    return new BlurBlock(channels, options.sigma());
  }
}
