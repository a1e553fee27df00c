package dev.lowlight.data.synth;

import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.spi.SpiVersion;
import dev.lowlight.api.spi.SynthesizerProvider;

/**
 * The {@code lis} preset: the RAW low-light pipeline of Chen et al., "Instance Segmentation in the
 * Dark", IJCV 2023, with the noise model of Wei et al., "A Physics-based Noise Formation Model for
 * Extreme Low-light Raw Denoising" (ELD), CVPR 2020, and the unprocessing of Brooks et al., CVPR
 * 2019.
 *
 * <p>Ranges ({@link LisOptions#defaults()}): unprocess (inverse tone curve, γ = 2.2, random convex
 * camera matrix, gains g ~ N(0.8, 0.1), r ~ U(1.9, 2.4), b ~ U(1.5, 1.9)) to a Bayer RGGB RAW;
 * scale to the white level (14-bit, black 512); divide by a ratio ~ U(10, 100); Poisson shot noise
 * with system gain K, log K ~ U(log 0.218, log 13.96) (exact below a mean of 30 electrons, normal
 * approximation above); Gaussian read noise with log σ = 0.677·log K + 1.512 + N(0, 0.246); row
 * noise with log σ = 0.471·log K − 0.808 + N(0, 0.244); quantisation U(±0.5) DN; multiply back,
 * white balance, bilinear demosaic, camera → sRGB, gamma 1/2.2, tone curve, 8-bit output.
 */
public final class LisSynthesizerProvider implements SynthesizerProvider<LisOptions> {

  /** The plugin name. */
  public static final String NAME = "lis";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String version() {
    return SynthVersion.VERSION;
  }

  @Override
  public SpiVersion spiVersion() {
    return SpiVersion.of(SpiVersion.MAJOR, SpiVersion.MINOR);
  }

  @Override
  public String description() {
    return "RAW pipeline of LIS (Chen et al., IJCV 2023): Bayer mosaic, ratio darkening, Poisson/read/row/quantisation noise, demosaic";
  }

  @Override
  public Class<LisOptions> optionsType() {
    return LisOptions.class;
  }

  @Override
  public LisOptions defaultOptions() {
    return LisOptions.defaults();
  }

  @Override
  public LowLightSynthesizer create(LisOptions options) {
    return new LisSynthesizer(options);
  }
}
