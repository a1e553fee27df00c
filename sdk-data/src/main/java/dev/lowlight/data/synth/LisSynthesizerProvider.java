package dev.lowlight.data.synth;

import dev.lowlight.api.spi.LowLightSynthesizer;
import dev.lowlight.api.spi.PluginInfo;
import dev.lowlight.api.spi.SpiVersion;
import dev.lowlight.api.spi.SynthesizerProvider;

/**
 * The {@code lis} preset: the low-light RAW synthesis of LIS (Chen, Fu, Wei, Zheng, Heide,
 * "Instance Segmentation in the Dark", IJCV 2023), as its {@code noisemodel} code and released
 * configs run it ({@code AddNoisyImg(model='PGRU', camera='CanonEOS5D4', mode='unprocess_addnoise',
 * noise_ratio=(10, 100))}), with ELD's noise model (Wei et al., CVPR 2020) and Brooks et al.'s
 * unprocessing (CVPR 2019).
 *
 * <p>What it does ({@link LisOptions#defaults()}): unprocess sRGB (inverse tone curve, γ = 2.2,
 * the inverse of LIS's one calibrated camera → sRGB matrix, inverse gains g ~ N(0.8, 0.1), r ~
 * U(1.9, 2.4), b ~ U(1.5, 1.9) with the highlight mask) to a Bayer RGGB RAW in [0, 1]; scale to
 * 15,871 DN (white 16383 − black 512) and divide by a ratio ~ U(10, 100); Poisson shot noise with
 * log K ~ U(log 0.2182, log 13.96); Tukey-lambda read noise, λ one of the camera's 18 calibrated
 * shapes, log scale = 0.6559·log K + 1.0927 + N(0, 0.2860); row noise N(0, σ_row) per packed row
 * and channel, log σ_row = 0.4713·log K − 0.8079 + N(0, 0.2436); one U(−0.5, 0.5) DN quantisation
 * offset per image; multiply the ratio back, clip, round the mosaic to 8 bits, bilinear demosaic.
 * No white balance, colour matrix, gamma or tone curve comes back: the output is linear camera RGB,
 * dark and greenish (0.25 of the input's mean brightness on this SDK's test images), and its
 * noise is that of a short exposure amplified by the ratio.
 *
 * <p>Where it differs from the code, on purpose: images of odd size keep their size (LIS resizes
 * them to even size and back); the channels come out in RGB order (LIS's code demosaics with
 * OpenCV's {@code COLOR_BAYER_RG2RGB}, which for an RGGB mosaic yields BGR, then swaps once more,
 * so its detector receives red and blue exchanged relative to its BGR test images); the mosaic is
 * demosaicked with this SDK's bilinear interpolation (OpenCV's is bilinear too, with other borders).
 * {@code lis-isp} keeps this SDK's earlier reading: the same kind of noise rendered back through
 * the whole camera pipeline.
 */
public final class LisSynthesizerProvider implements SynthesizerProvider<LisOptions> {

  /** The plugin name. */
  public static final String NAME = "lis";

  private static final PluginInfo INFO = PluginInfo.of(NAME, SynthVersion.VERSION, SpiVersion.MAJOR, SpiVersion.MINOR,
      "LIS's RAW synthesis (Chen et al., IJCV 2023): Canon camera, ratio U(10, 100), Poisson, Tukey-lambda read,"
          + " row and quantisation noise; output linear, un-white-balanced camera RGB (dark, greenish)");

  @Override
  public PluginInfo info() {
    return INFO;
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
