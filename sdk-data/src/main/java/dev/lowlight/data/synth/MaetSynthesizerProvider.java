package dev.lowlight.data.synth;

import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.spi.PluginInfo;
import dev.lowlight.api.spi.SpiVersion;
import dev.lowlight.api.spi.SynthesizerProvider;

/**
 * The {@code maet} preset, the default low-light synthesis: the exposure-degradation model of
 * Cui et al., "Multitask AET with Orthogonal Tangent Regularity for Dark Object Detection", ICCV
 * 2021, built on Brooks et al., "Unprocessing Images for Learned Raw Denoising", CVPR 2019.
 *
 * <p>Ranges ({@link MaetOptions#paper()}), the paper's and those of {@code
 * Low_Illumination_Degrading}, the degradation of the released COCO config: inverse tone curve
 * {@code x <- 0.5 - sin(asin(1 - 2x)/3)}; inverse gamma with γ ~ U(2.0, 3.5); sRGB → camera RGB
 * through one of four real camera matrices, normalised as MAET's code does (it divides by the row
 * sums without keeping dimensions, which scales the columns; {@code matrix_normalisation: rows}
 * gives Brooks et al.'s); inverse white balance and brightness {@code × [1/r, 1, 1/b]·g} with g ~
 * N(0.8, 0.1), r ~ U(1.9, 2.4), b ~ U(1.5, 1.9); darkening {@code × d}, d ~ N(0.1, 0.08) truncated
 * to [0.01, 1]; noise {@code x + N(0, sqrt(x·shot + read))} with log(shot) ~ U(log 1e-4, log
 * 0.012) and log(read) = 2.18·log(shot) + 1.20 + N(0, 0.26); quantisation noise U(±1/(255 bits)),
 * bits ∈ {12, 14, 16}; then white balance {@code [r, 1, b]}, the inverse camera matrix, gamma 1/γ
 * and 8-bit output. Every range is an option.
 *
 * <p>One difference from the code remains: {@code Low_Illumination_Degrading} draws the noise as
 * {@code torch.normal(0, std=var)}, a standard deviation equal to the variance {@code x·shot +
 * read} (far less noise than the paper's model); this preset uses the square root, as the paper and
 * Brooks et al. write it.
 */
public final class MaetSynthesizerProvider implements SynthesizerProvider<MaetOptions> {

  /** The plugin name. */
  public static final String NAME = "maet";

  private static final PluginInfo INFO = PluginInfo.of(NAME, SynthVersion.VERSION, SpiVersion.MAJOR, SpiVersion.MINOR,
      "Unprocess, darken and add shot/read noise with the ranges of the MAET paper (Cui et al., ICCV 2021);"
          + " the default");

  @Override
  public PluginInfo info() {
    return INFO;
  }

  @Override
  public Class<MaetOptions> optionsType() {
    return MaetOptions.class;
  }

  @Override
  public MaetOptions defaultOptions() {
    return MaetOptions.paper();
  }

  @Override
  public LowLightSynthesizer create(MaetOptions options) {
    return new MaetSynthesizer(NAME, options);
  }
}
