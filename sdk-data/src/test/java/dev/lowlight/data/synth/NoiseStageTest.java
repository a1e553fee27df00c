package dev.lowlight.data.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class NoiseStageTest {

  private static double[] meanVar(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x;
    }
    double mean = s / v.length;
    double ss = 0;
    for (float x : v) {
      ss += (x - mean) * (x - mean);
    }
    return new double[] {mean, ss / (v.length - 1)};
  }

  @ParameterizedTest
  @CsvSource({"0.01, 0.01, 1e-4", "0.05, 0.01, 1e-4", "0.2, 0.002, 1e-6", "0.002, 1e-4, 1e-7", "0.5, 0.012, 2e-4"})
  void flatPatchVarianceIsShotTimesSignalPlusRead(double x, double shot, double read) {
    float[] v = new float[400_000];
    Arrays.fill(v, (float) x);
    NoiseStage.shotRead(v, 0, v.length, (float) shot, (float) read, new SeededRandom(11));
    double[] mv = meanVar(v);
    double expected = x * shot + read;
    assertThat(mv[0]).isCloseTo(x, within(4 * Math.sqrt(expected / v.length) + 1e-7));
    assertThat(mv[1] / expected).isCloseTo(1.0, within(0.02));
  }

  @Test
  void varianceIsLinearInSignal() {
    // The slope of variance against signal is the shot parameter, the intercept the read one.
    double shot = 0.008;
    double read = 5e-5;
    double[] xs = {0.02, 0.1, 0.3};
    double[] vars = new double[3];
    for (int i = 0; i < 3; i++) {
      float[] v = new float[300_000];
      Arrays.fill(v, (float) xs[i]);
      NoiseStage.shotRead(v, 0, v.length, (float) shot, (float) read, new SeededRandom(i));
      vars[i] = meanVar(v)[1];
    }
    double slope = (vars[2] - vars[0]) / (xs[2] - xs[0]);
    assertThat(slope / shot).isCloseTo(1.0, within(0.03));
    assertThat((vars[0] - slope * xs[0]) / read).isCloseTo(1.0, within(0.25));
  }

  @Test
  void fusedQuantisationAddsUniformVariance() {
    float x = 0.1f;
    float h = 0.01f;
    float[] v = new float[400_000];
    Arrays.fill(v, x);
    NoiseStage.shotReadUniform(v, 0, v.length, 0.001f, 1e-5f, h, new SeededRandom(3));
    double expected = x * 0.001 + 1e-5 + (2.0 * h) * (2.0 * h) / 12;
    double[] mv = meanVar(v);
    assertThat(mv[0]).isCloseTo(x, within(1e-3));
    assertThat(mv[1] / expected).isCloseTo(1.0, within(0.02));
  }

  @Test
  void roundingQuantisesToMultiplesOfStep() {
    float[] v = {0.0f, 0.011f, 0.5f, 0.0235f};
    float step = 4f / 255f;
    NoiseStage.round(v, 0, v.length, step);
    for (float f : v) {
      assertThat(f / step).isCloseTo(Math.round(f / step), within(1e-4f));
    }
    assertThat(v[3]).isCloseTo(step, within(1e-6f)); // 0.0235 / step = 1.498 rounds to 1
  }

  @ParameterizedTest
  @CsvSource({"2.0, 10.0, 1.5", "0.3, 2.0, 0.7", "5.0, 400.0, 3.0", "1.0, 29.0, 0.0", "1.0, 31.0, 0.0"})
  void rawNoiseHasPoissonPlusReadVariance(double k, double signal, double readSigma) {
    int rows = 400;
    int w = 1000;
    float[] v = new float[rows * w];
    Arrays.fill(v, (float) signal);
    for (int r = 0; r < rows; r++) {
      NoiseStage.raw(v, r * w, (r + 1) * w, k, readSigma, 0.0, SeededRandom.forStream(5, 1, r));
    }
    double[] mv = meanVar(v);
    double expected = k * signal + readSigma * readSigma + 1.0 / 12;
    assertThat(mv[0]).isCloseTo(signal, within(4 * Math.sqrt(expected / v.length) + 1e-3));
    assertThat(mv[1] / expected).isCloseTo(1.0, within(0.02));
  }

  @Test
  void rowNoiseIsSharedWithinARow() {
    int w = 2000;
    int rows = 300;
    double rowSigma = 2.0;
    double[] rowMeans = new double[rows];
    for (int r = 0; r < rows; r++) {
      float[] v = new float[w];
      NoiseStage.raw(v, 0, w, 1.0, 0.5, rowSigma, SeededRandom.forStream(9, 1, r));
      rowMeans[r] = meanVar(v)[0];
    }
    double s = 0;
    double ss = 0;
    for (double m : rowMeans) {
      s += m;
      ss += m * m;
    }
    double varOfRowMeans = ss / rows - (s / rows) * (s / rows);
    // Row means vary by the row offset (variance 4) plus the averaged pixel noise (~0.33/2000).
    assertThat(varOfRowMeans).isBetween(4.0 * 0.8, 4.0 * 1.2);
  }
}
