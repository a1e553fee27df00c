package dev.lowlight.data.synth;

import dev.lowlight.api.config.Check;
import dev.lowlight.api.spi.Option;
import java.util.List;

/**
 * Options of the exposure-degradation pipeline of MAET (Cui et al., "Multitask AET with Orthogonal
 * Tangent Regularity for Dark Object Detection", ICCV 2021), shared by the presets {@code maet}
 * ({@link #paper()}) and {@code maet-release} ({@link #release()}).
 *
 * @param inverseToneCurve apply the inverse tone curve first
 * @param gammaMin lower end of the gamma range
 * @param gammaMax upper end of the gamma range
 * @param gainMean mean of the brightness gain g
 * @param gainStd standard deviation of g
 * @param redGainMin lower end of the red white-balance gain range
 * @param redGainMax upper end of the red gain range
 * @param blueGainMin lower end of the blue gain range
 * @param blueGainMax upper end of the blue gain range
 * @param cameraMatrix {@code choice} or {@code mix}
 * @param matrixNormalisation {@code columns} (MAET's code) or {@code rows} (Brooks et al.), see
 *     {@link CameraMatrices.Normalisation}
 * @param darkness {@code truncated-normal} or {@code uniform}
 * @param darknessMean mean of the truncated normal darkening factor
 * @param darknessStd standard deviation of the truncated normal
 * @param darknessMin lower bound of d
 * @param darknessMax upper bound of d
 * @param shotNoiseMin lower end of the log-uniform shot-noise range
 * @param shotNoiseMax upper end of the shot-noise range
 * @param readNoiseSlope slope of log(read) against log(shot)
 * @param readNoiseIntercept intercept of log(read)
 * @param readNoiseStd spread of log(read) around the line
 * @param quantisation {@code noise} or {@code round}
 * @param quantisationLevels the bit depths (noise) or steps in 8-bit levels (round) to draw from
 */
public record MaetOptions(
    @Option("apply the inverse tone curve x <- 0.5 - sin(asin(1 - 2x)/3) before the inverse gamma")
    boolean inverseToneCurve,
    @Option("gamma ~ U(gamma_min, gamma_max); in [1, 10]") double gammaMin,
    @Option("upper end of the gamma range; in [1, 10], >= gamma_min") double gammaMax,
    @Option("brightness gain g ~ N(gain_mean, gain_std), truncated to [0.05, 5]; in (0, 5]") double gainMean,
    @Option("standard deviation of the brightness gain; in [0, 2]") double gainStd,
    @Option("red white-balance gain r ~ U(red_gain_min, red_gain_max); in [0.1, 10]") double redGainMin,
    @Option("upper end of the red gain range; in [0.1, 10]") double redGainMax,
    @Option("blue white-balance gain b ~ U(blue_gain_min, blue_gain_max); in [0.1, 10]") double blueGainMin,
    @Option("upper end of the blue gain range; in [0.1, 10]") double blueGainMax,
    @Option("camera matrix: 'choice' picks one of the real cameras uniformly (MAET), 'mix' takes a"
        + " random convex combination of them (Brooks et al.)") String cameraMatrix,
    @Option("normalisation of the sRGB -> camera matrix: 'columns' as MAET's code does (it divides by the row"
        + " sums without keepdims, so NumPy scales the columns and white maps to about (0.7-0.9, 1.1-1.3,"
        + " 0.9-1.0)), or 'rows' as Brooks et al. do (white stays white)") String matrixNormalisation,
    @Option("distribution of the darkening factor d: 'truncated-normal' N(darkness_mean,"
        + " darkness_std) on [darkness_min, darkness_max], or 'uniform' U(darkness_min, darkness_max)")
    String darkness,
    @Option("mean of the truncated normal darkening factor") double darknessMean,
    @Option("standard deviation of the truncated normal darkening factor; in [0, 1]") double darknessStd,
    @Option("lower bound of the darkening factor; in (0, 1]") double darknessMin,
    @Option("upper bound of the darkening factor; in (0, 1], >= darkness_min") double darknessMax,
    @Option("shot noise: log(shot) ~ U(log shot_noise_min, log shot_noise_max); in (0, 1]") double shotNoiseMin,
    @Option("upper end of the shot noise range; in (0, 1]") double shotNoiseMax,
    @Option("log(read) = slope * log(shot) + intercept + N(0, read_noise_std)") double readNoiseSlope,
    @Option("intercept of log(read)") double readNoiseIntercept,
    @Option("standard deviation of log(read) around the line; in [0, 5]") double readNoiseStd,
    @Option("'noise' adds U(+-1/(255*bits)) with bits drawn from quantisation_levels; 'round'"
        + " rounds to multiples of q/255 with q drawn from quantisation_levels") String quantisation,
    @Option("bit depths (noise) or steps in 8-bit levels (round) to draw from; each in [1, 64]")
    List<Integer> quantisationLevels) {

  public MaetOptions {
    Check.range("gamma_min", gammaMin, 1, 10);
    Check.range("gamma_max", gammaMax, gammaMin, 10);
    OptionChecks.gains(gainMean, gainStd, redGainMin, redGainMax, blueGainMin, blueGainMax);
    Check.oneOf("camera_matrix", Check.required("camera_matrix", cameraMatrix), List.of("choice", "mix"));
    Check.oneOf("matrix_normalisation", Check.required("matrix_normalisation", matrixNormalisation),
        List.of("columns", "rows"));
    Check.oneOf("darkness", Check.required("darkness", darkness), List.of("truncated-normal", "uniform"));
    Check.range("darkness_min", darknessMin, 1e-6, 1);
    Check.range("darkness_max", darknessMax, darknessMin, 1);
    Check.range("darkness_mean", darknessMean, -10, 10);
    Check.range("darkness_std", darknessStd, 0, 1);
    Check.range("shot_noise_min", shotNoiseMin, 1e-12, 1);
    Check.range("shot_noise_max", shotNoiseMax, shotNoiseMin, 1);
    Check.range("read_noise_slope", readNoiseSlope, -10, 10);
    Check.range("read_noise_intercept", readNoiseIntercept, -50, 50);
    Check.range("read_noise_std", readNoiseStd, 0, 5);
    Check.oneOf("quantisation", Check.required("quantisation", quantisation), List.of("noise", "round"));
    Check.required("quantisation_levels", quantisationLevels);
    if (quantisationLevels.isEmpty()) {
      throw new Check.InvalidValueException("quantisation_levels", "must not be empty");
    }
    for (int i = 0; i < quantisationLevels.size(); i++) {
      Check.range("quantisation_levels[" + i + "]",
          Check.required("quantisation_levels[" + i + "]", quantisationLevels.get(i)), 1, 64);
    }
    quantisationLevels = List.copyOf(quantisationLevels);
  }

  /**
   * The ranges of the MAET paper (the {@code maet} preset), which are also those of {@code
   * Low_Illumination_Degrading} in {@code MAET_YOLO}, the degradation the released COCO config
   * ({@code configs/MAET_yolo/maet_yolo_coco_ort.py}) trains with: inverse tone curve, γ ~ U(2.0,
   * 3.5), g ~ N(0.8, 0.1), r ~ U(1.9, 2.4), b ~ U(1.5, 1.9), one real camera matrix chosen uniformly
   * and normalised as MAET's code does ({@code columns}), d ~ N(0.1, 0.08) truncated to [0.01, 1],
   * log(shot) ~ U(log 1e-4, log 0.012), log(read) = 2.18·log(shot) + 1.20 + N(0, 0.26),
   * quantisation noise U(±1/(255·bits)) with bits ∈ {12, 14, 16}.
   */
  public static MaetOptions paper() {
    return new MaetOptions(true, 2.0, 3.5, 0.8, 0.1, 1.9, 2.4, 1.5, 1.9, "choice", "columns",
        "truncated-normal", 0.1, 0.08, 0.01, 1.0, 1e-4, 0.012, 2.18, 1.20, 0.26,
        "noise", List.of(12, 14, 16));
  }

  /**
   * The ranges of the {@code Dark_ISP} pipeline class in MAET's released code (the {@code
   * maet-release} preset), which no released config uses (the released COCO config trains with
   * {@code Low_Illumination_Degrading}, whose ranges are {@link #paper()}'s): no inverse tone curve,
   * d ~ U(0.01, 0.4), and quantisation by rounding to multiples of q/255 with q ∈ {4, 6, 8};
   * everything else, the {@code columns} matrix normalisation included, as in {@link #paper()}.
   */
  public static MaetOptions release() {
    return new MaetOptions(false, 2.0, 3.5, 0.8, 0.1, 1.9, 2.4, 1.5, 1.9, "choice", "columns",
        "uniform", 0.1, 0.08, 0.01, 0.4, 1e-4, 0.012, 2.18, 1.20, 0.26,
        "round", List.of(4, 6, 8));
  }

  /** The matrix normalisation as an enum. */
  public CameraMatrices.Normalisation normalisation() {
    return CameraMatrices.Normalisation.fromConfig(matrixNormalisation);
  }

  /** A copy with the darkening factor fixed to {@code d} (for experiments and tests). */
  public MaetOptions withFixedDarkness(double d) {
    return new MaetOptions(inverseToneCurve, gammaMin, gammaMax, gainMean, gainStd, redGainMin,
        redGainMax, blueGainMin, blueGainMax, cameraMatrix, matrixNormalisation, "uniform", darknessMean, darknessStd, d, d,
        shotNoiseMin, shotNoiseMax, readNoiseSlope, readNoiseIntercept, readNoiseStd, quantisation,
        quantisationLevels);
  }
}
