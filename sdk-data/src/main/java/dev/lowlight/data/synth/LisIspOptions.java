package dev.lowlight.data.synth;

import dev.lowlight.api.config.Check;
import dev.lowlight.api.spi.Option;
import java.util.List;

/**
 * Options of the {@code lis-isp} preset ({@link LisIspSynthesizerProvider}): ELD's RAW noise (Wei
 * et al., CVPR 2020) with the ranges LIS uses (Chen et al., "Instance Segmentation in the Dark",
 * IJCV 2023), Brooks et al.'s unprocessing (CVPR 2019) and the whole camera pipeline back to sRGB.
 * Defaults are {@link #defaults()}.
 *
 * @param inverseToneCurve undo (and finally re-apply) the smoothstep tone curve
 * @param gamma the fixed display gamma of the unprocessing
 * @param cameraMatrix {@code mix} or {@code choice}
 * @param gainMean mean of the brightness gain
 * @param gainStd standard deviation of the brightness gain
 * @param redGainMin lower end of the red gain range
 * @param redGainMax upper end of the red gain range
 * @param blueGainMin lower end of the blue gain range
 * @param blueGainMax upper end of the blue gain range
 * @param whiteLevel sensor white level in DN
 * @param blackLevel sensor black level in DN
 * @param ratioMin lower end of the darkening ratio range
 * @param ratioMax upper end of the darkening ratio range
 * @param systemGainMin lower end of the log-uniform system gain K
 * @param systemGainMax upper end of K
 * @param readSlope slope of log σ_read against log K
 * @param readIntercept intercept of log σ_read
 * @param readStd spread of log σ_read
 * @param rowSlope slope of log σ_row against log K
 * @param rowIntercept intercept of log σ_row
 * @param rowStd spread of log σ_row
 */
public record LisIspOptions(
    @Option("undo the smoothstep tone curve before unprocessing and re-apply it at the end") boolean inverseToneCurve,
    @Option("display gamma of the unprocessing (Brooks et al. use 2.2); in [1, 10]") double gamma,
    @Option("'mix': random convex combination of the real camera matrices (Brooks et al.);"
        + " 'choice': one of them uniformly") String cameraMatrix,
    @Option("brightness gain g ~ N(gain_mean, gain_std) truncated to [0.05, 5]; in (0, 5]") double gainMean,
    @Option("standard deviation of the brightness gain; in [0, 2]") double gainStd,
    @Option("red white-balance gain r ~ U(red_gain_min, red_gain_max); in [0.1, 10]") double redGainMin,
    @Option("upper end of the red gain range") double redGainMax,
    @Option("blue white-balance gain b ~ U(blue_gain_min, blue_gain_max); in [0.1, 10]") double blueGainMin,
    @Option("upper end of the blue gain range") double blueGainMax,
    @Option("sensor white level in DN; in [2, 1048575]") double whiteLevel,
    @Option("sensor black level in DN, < white_level") double blackLevel,
    @Option("darkening ratio ~ U(ratio_min, ratio_max); in [1, 10000]") double ratioMin,
    @Option("upper end of the darkening ratio range") double ratioMax,
    @Option("system gain: log K ~ U(log system_gain_min, log system_gain_max); in (0, 1000]") double systemGainMin,
    @Option("upper end of the system gain range") double systemGainMax,
    @Option("log σ_read = read_slope·log K + read_intercept + N(0, read_std)") double readSlope,
    @Option("intercept of log σ_read") double readIntercept,
    @Option("standard deviation of log σ_read around the line; in [0, 5]") double readStd,
    @Option("log σ_row = row_slope·log K + row_intercept + N(0, row_std)") double rowSlope,
    @Option("intercept of log σ_row") double rowIntercept,
    @Option("standard deviation of log σ_row around the line; in [0, 5]") double rowStd) {

  public LisIspOptions {
    Check.range("gamma", gamma, 1, 10);
    Check.oneOf("camera_matrix", Check.required("camera_matrix", cameraMatrix), List.of("choice", "mix"));
    OptionChecks.gains(gainMean, gainStd, redGainMin, redGainMax, blueGainMin, blueGainMax);
    OptionChecks.sensor(whiteLevel, blackLevel, ratioMin, ratioMax, systemGainMin, systemGainMax);
    OptionChecks.line("read", readSlope, readIntercept, readStd);
    OptionChecks.line("row", rowSlope, rowIntercept, rowStd);
  }

  /**
   * The ranges: Brooks et al.'s unprocessing (tone curve, γ = 2.2, random convex camera
   * matrix, g ~ N(0.8, 0.1), r ~ U(1.9, 2.4), b ~ U(1.5, 1.9)), a 14-bit sensor (white 16383,
   * black 512), ratio ~ U(10, 100), log K ~ U(log 0.218, log 13.96), log σ_read = 0.677·log K +
   * 1.512 + N(0, 0.246), log σ_row = 0.471·log K − 0.808 + N(0, 0.244).
   */
  public static LisIspOptions defaults() {
    return new LisIspOptions(true, 2.2, "mix", 0.8, 0.1, 1.9, 2.4, 1.5, 1.9, 16383, 512, 10, 100,
        0.218, 13.96, 0.677, 1.512, 0.246, 0.471, -0.808, 0.244);
  }

  /** A copy with the darkening ratio fixed (for experiments and tests). */
  public LisIspOptions withFixedRatio(double ratio) {
    return new LisIspOptions(inverseToneCurve, gamma, cameraMatrix, gainMean, gainStd, redGainMin,
        redGainMax, blueGainMin, blueGainMax, whiteLevel, blackLevel, ratio, ratio, systemGainMin,
        systemGainMax, readSlope, readIntercept, readStd, rowSlope, rowIntercept, rowStd);
  }
}
