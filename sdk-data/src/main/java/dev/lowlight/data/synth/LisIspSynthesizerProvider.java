package dev.lowlight.data.synth;

import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.spi.PluginInfo;
import dev.lowlight.api.spi.SpiVersion;
import dev.lowlight.api.spi.SynthesizerProvider;

/**
 * The {@code lis-isp} preset: LIS's noise on a RAW mosaic, rendered back to a normally exposed sRGB
 * image. It is what this SDK called {@code lis} before it followed LIS's code: Brooks et al.'s
 * unprocessing (CVPR 2019) to a Bayer RGGB RAW, ELD's noise (Wei et al., CVPR 2020) at an exposure
 * divided by a ratio, the ratio multiplied back, then the whole camera pipeline (white balance,
 * demosaic, camera → sRGB, gamma, tone curve). The output keeps about 0.8 of the input's brightness
 * and gains RAW-like noise: noise without darkness, useful as an ablation of the darkening. LIS
 * itself ({@link LisSynthesizerProvider}) stops before white balance and returns linear camera RGB.
 *
 * <p>Ranges ({@link LisIspOptions#defaults()}): unprocess (inverse tone curve, γ = 2.2, random
 * convex camera matrix, gains g ~ N(0.8, 0.1), r ~ U(1.9, 2.4), b ~ U(1.5, 1.9)) to a Bayer RGGB
 * RAW; scale to the white level (14-bit, black 512); divide by a ratio ~ U(10, 100); Poisson shot
 * noise with system gain K, log K ~ U(log 0.218, log 13.96) (exact below a mean of 30 electrons,
 * normal approximation above); Gaussian read noise with log σ = 0.677·log K + 1.512 + N(0, 0.246);
 * one row offset per sensor row with log σ = 0.471·log K − 0.808 + N(0, 0.244); quantisation U(±0.5)
 * DN per pixel; multiply back, white balance, bilinear demosaic, camera → sRGB, gamma 1/2.2, tone
 * curve, 8-bit output.
 */
public final class LisIspSynthesizerProvider implements SynthesizerProvider<LisIspOptions> {

  /** The plugin name. */
  public static final String NAME = "lis-isp";

  private static final PluginInfo INFO = PluginInfo.of(NAME, SynthVersion.VERSION, SpiVersion.MAJOR, SpiVersion.MINOR,
      "LIS/ELD RAW noise (Poisson, Gaussian read, row, quantisation) rendered back through the whole ISP:"
          + " a normally exposed, noisy sRGB image (not LIS's output; see lis)");

  @Override
  public PluginInfo info() {
    return INFO;
  }

  @Override
  public Class<LisIspOptions> optionsType() {
    return LisIspOptions.class;
  }

  @Override
  public LisIspOptions defaultOptions() {
    return LisIspOptions.defaults();
  }

  @Override
  public LowLightSynthesizer create(LisIspOptions options) {
    return new LisIspSynthesizer(options);
  }
}
