package dev.lowlight.data.synth;

import dev.lowlight.api.config.Check;
import dev.lowlight.api.spi.Option;
import java.util.List;

/**
 * Options of the {@code lis} preset ({@link LisSynthesizerProvider}): the low-light RAW synthesis
 * of LIS (Chen, Fu, Wei, Zheng, Heide, "Instance Segmentation in the Dark", IJCV 2023; its {@code
 * noisemodel} code), with the noise model of ELD (Wei et al., CVPR 2020) calibrated for LIS's
 * camera, a Canon EOS 5D Mark IV. Defaults are {@link #defaults()}.
 *
 * @param inverseToneCurve undo the smoothstep tone curve before the gamma
 * @param gamma the fixed display gamma of the unprocessing
 * @param cameraMatrix {@code canon}, {@code mix} or {@code choice}
 * @param gainMean mean of the brightness gain
 * @param gainStd standard deviation of the brightness gain
 * @param redGainMin lower end of the red gain range
 * @param redGainMax upper end of the red gain range
 * @param blueGainMin lower end of the blue gain range
 * @param blueGainMax upper end of the blue gain range
 * @param whiteLevel sensor white level in DN
 * @param blackLevel sensor black level in DN
 * @param ratioMin lower end of the ratio range
 * @param ratioMax upper end of the ratio range
 * @param systemGainMin lower end of the log-uniform system gain K
 * @param systemGainMax upper end of K
 * @param readNoise {@code tukey} or {@code gaussian}
 * @param tukeyShapes the Tukey-lambda shapes λ to draw one from
 * @param readSlope slope of the log read-noise scale against log K
 * @param readIntercept intercept of the log read-noise scale
 * @param readStd spread of the log read-noise scale around the line
 * @param rowSlope slope of log σ_row against log K
 * @param rowIntercept intercept of log σ_row
 * @param rowStd spread of log σ_row around the line
 * @param quantisation {@code image} or {@code pixel}
 */
public record LisOptions(
    @Option("undo the smoothstep tone curve x <- 0.5 - sin(asin(1 - 2x)/3) before the gamma") boolean inverseToneCurve,
    @Option("display gamma of the unprocessing (LIS: 2.2); in [1, 10]") double gamma,
    @Option("sRGB -> camera matrix: 'canon', the inverse of the one calibrated camera -> sRGB matrix of LIS's code;"
        + " 'mix', a random convex combination of Brooks et al.'s four cameras; 'choice', one of them") String cameraMatrix,
    @Option("brightness gain g ~ N(gain_mean, gain_std) truncated to [0.05, 5]; in (0, 5]") double gainMean,
    @Option("standard deviation of the brightness gain; in [0, 2]") double gainStd,
    @Option("red white-balance gain r ~ U(red_gain_min, red_gain_max), inverted and never re-applied; in [0.1, 10]")
    double redGainMin,
    @Option("upper end of the red gain range") double redGainMax,
    @Option("blue white-balance gain b ~ U(blue_gain_min, blue_gain_max), inverted and never re-applied; in [0.1, 10]")
    double blueGainMin,
    @Option("upper end of the blue gain range") double blueGainMax,
    @Option("sensor white level in DN; in [2, 1048575]") double whiteLevel,
    @Option("sensor black level in DN, < white_level; the noise acts on white_level - black_level DN") double blackLevel,
    @Option("ratio ~ U(ratio_min, ratio_max): the noise is that of an exposure divided by the ratio, amplified back"
        + " by it; in [1, 10000]") double ratioMin,
    @Option("upper end of the ratio range") double ratioMax,
    @Option("system gain K in DN per electron: log K ~ U(log system_gain_min, log system_gain_max); in (0, 1000]")
    double systemGainMin,
    @Option("upper end of the system gain range") double systemGainMax,
    @Option("read noise: 'tukey' (Tukey lambda with shape drawn from tukey_shapes, LIS and ELD) or 'gaussian'")
    String readNoise,
    @Option("Tukey-lambda shapes to draw one per image from, each in [-1, 2] (LIS: the camera's 18 calibrated ones)")
    List<Double> tukeyShapes,
    @Option("log(read scale) = read_slope·log K + read_intercept + N(0, read_std)") double readSlope,
    @Option("intercept of the log read-noise scale") double readIntercept,
    @Option("standard deviation of the log read-noise scale around the line; in [0, 5]") double readStd,
    @Option("log σ_row = row_slope·log K + row_intercept + N(0, row_std); one offset per packed row (two sensor rows)"
        + " and Bayer channel") double rowSlope,
    @Option("intercept of log σ_row") double rowIntercept,
    @Option("standard deviation of log σ_row around the line; in [0, 5]") double rowStd,
    @Option("quantisation noise U(-0.5, 0.5) DN: 'image', one offset for the whole image as LIS's code draws it,"
        + " or 'pixel', one per pixel as ELD's paper writes it") String quantisation) {

  /** The calibrated Tukey-lambda shapes of the Canon EOS 5D Mark IV (ELD's release, used by LIS). */
  public static final List<Double> CANON_TUKEY_SHAPES = List.of(0.15714286, 0.14285714, 0.08571429, 0.08571429,
      0.2, 0.2, 0.1, 0.08571429, 0.05714286, 0.07142857, 0.02857143, 0.02857143, 0.01428571, 0.02857143,
      0.08571429, 0.07142857, 0.11428571, 0.11428571);

  public LisOptions {
    Check.range("gamma", gamma, 1, 10);
    Check.oneOf("camera_matrix", Check.required("camera_matrix", cameraMatrix), List.of("canon", "mix", "choice"));
    OptionChecks.gains(gainMean, gainStd, redGainMin, redGainMax, blueGainMin, blueGainMax);
    OptionChecks.sensor(whiteLevel, blackLevel, ratioMin, ratioMax, systemGainMin, systemGainMax);
    Check.oneOf("read_noise", Check.required("read_noise", readNoise), List.of("tukey", "gaussian"));
    Check.required("tukey_shapes", tukeyShapes);
    if (tukeyShapes.isEmpty()) {
      throw new Check.InvalidValueException("tukey_shapes", "must not be empty");
    }
    for (int i = 0; i < tukeyShapes.size(); i++) {
      Check.range("tukey_shapes[" + i + "]", Check.required("tukey_shapes[" + i + "]", tukeyShapes.get(i)), -1, 2);
    }
    tukeyShapes = List.copyOf(tukeyShapes);
    OptionChecks.line("read", readSlope, readIntercept, readStd);
    OptionChecks.line("row", rowSlope, rowIntercept, rowStd);
    Check.oneOf("quantisation", Check.required("quantisation", quantisation), List.of("image", "pixel"));
  }

  /**
   * LIS's settings ({@code AddNoisyImg(model='PGRU', camera='CanonEOS5D4', mode='unprocess_addnoise',
   * noise_ratio=(10, 100))} of its released configs): inverse tone curve, γ = 2.2, the calibrated
   * camera matrix, g ~ N(0.8, 0.1), r ~ U(1.9, 2.4), b ~ U(1.5, 1.9); white 16383 and black 512 DN;
   * ratio ~ U(10, 100); log K ~ U(log 0.2182, log 13.96); Tukey-lambda read noise with λ one of the
   * 18 calibrated shapes and log scale = 0.6559·log K + 1.0927 + N(0, 0.2860); row noise log σ =
   * 0.4713·log K − 0.8079 + N(0, 0.2436); one quantisation offset per image. (ELD's Gaussian read
   * noise line, for {@code read_noise: gaussian}, is 0.6771·log K + 1.5122 + N(0, 0.2464).)
   */
  public static LisOptions defaults() {
    return new LisOptions(true, 2.2, "canon", 0.8, 0.1, 1.9, 2.4, 1.5, 1.9, 16383, 512, 10, 100,
        0.2181895124454343, 13.96, "tukey", CANON_TUKEY_SHAPES, 0.6558756156508007, 1.09268679594838,
        0.28604721742277756, 0.4712797750747537, -0.8078958947116487, 0.2436176299944695, "image");
  }

  /** A copy with the ratio fixed (for experiments and tests). */
  public LisOptions withFixedRatio(double ratio) {
    return new LisOptions(inverseToneCurve, gamma, cameraMatrix, gainMean, gainStd, redGainMin, redGainMax,
        blueGainMin, blueGainMax, whiteLevel, blackLevel, ratio, ratio, systemGainMin, systemGainMax, readNoise,
        tukeyShapes, readSlope, readIntercept, readStd, rowSlope, rowIntercept, rowStd, quantisation);
  }
}
