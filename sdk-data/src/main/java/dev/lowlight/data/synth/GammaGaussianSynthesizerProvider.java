package dev.lowlight.data.synth;

import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.spi.PluginInfo;
import dev.lowlight.api.spi.SpiVersion;
import dev.lowlight.api.spi.SynthesizerProvider;

/**
 * The {@code gamma-gaussian} preset: {@code y = β·(α·x)^γ + N(0, σ)} in sRGB, the gamma darkening
 * of Lv et al., "MBLLEN: Low-light Image/Video Enhancement Using CNNs", BMVC 2018 (α ~ U(0.9, 1),
 * β ~ U(0.5, 1), γ ~ U(1.5, 5)) with additive Gaussian noise σ ~ U(0.005, 0.03). No camera model:
 * a minimal second plugin that proves the synthesis SPI is swappable.
 */
public final class GammaGaussianSynthesizerProvider implements SynthesizerProvider<GammaGaussianOptions> {

  /** The plugin name. */
  public static final String NAME = "gamma-gaussian";

  private static final PluginInfo INFO = PluginInfo.of(NAME, SynthVersion.VERSION, SpiVersion.MAJOR, SpiVersion.MINOR,
      "Simple darkening y = beta*(alpha*x)^gamma plus Gaussian noise in sRGB; shows the synthesis SPI is swappable");

  @Override
  public PluginInfo info() {
    return INFO;
  }

  @Override
  public Class<GammaGaussianOptions> optionsType() {
    return GammaGaussianOptions.class;
  }

  @Override
  public GammaGaussianOptions defaultOptions() {
    return GammaGaussianOptions.defaults();
  }

  @Override
  public LowLightSynthesizer create(GammaGaussianOptions options) {
    return new GammaGaussianSynthesizer(options);
  }
}
