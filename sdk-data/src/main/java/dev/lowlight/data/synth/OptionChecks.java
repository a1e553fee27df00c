package dev.lowlight.data.synth;

import dev.lowlight.api.config.Check;

/** Range checks that several presets' options share, with the same keys in each. */
final class OptionChecks {

  private OptionChecks() {}

  /** Brightness gain and white-balance gain ranges of Brooks et al.'s unprocessing. */
  static void gains(double gainMean, double gainStd, double redGainMin, double redGainMax, double blueGainMin,
      double blueGainMax) {
    Check.range("gain_mean", gainMean, 0.05, 5);
    Check.range("gain_std", gainStd, 0, 2);
    Check.range("red_gain_min", redGainMin, 0.1, 10);
    Check.range("red_gain_max", redGainMax, redGainMin, 10);
    Check.range("blue_gain_min", blueGainMin, 0.1, 10);
    Check.range("blue_gain_max", blueGainMax, blueGainMin, 10);
  }

  /** Sensor levels, ratio range and system gain range of ELD's RAW noise. */
  static void sensor(double whiteLevel, double blackLevel, double ratioMin, double ratioMax, double systemGainMin,
      double systemGainMax) {
    Check.range("white_level", whiteLevel, 2, 1048575);
    Check.range("black_level", blackLevel, 0, whiteLevel - 1);
    Check.range("ratio_min", ratioMin, 1, 10000);
    Check.range("ratio_max", ratioMax, ratioMin, 10000);
    Check.range("system_gain_min", systemGainMin, 1e-6, 1000);
    Check.range("system_gain_max", systemGainMax, systemGainMin, 1000);
  }

  /** A log-linear noise line {@code prefix_slope}, {@code prefix_intercept}, {@code prefix_std}. */
  static void line(String prefix, double slope, double intercept, double std) {
    Check.range(prefix + "_slope", slope, -10, 10);
    Check.range(prefix + "_intercept", intercept, -50, 50);
    Check.range(prefix + "_std", std, 0, 5);
  }
}
