package dev.lowlight.heads;

import static org.assertj.core.api.Assertions.assertThat;

/** Comparisons with torchvision's numbers. */
public final class Close {

  private Close() {}

  /** Every value within {@code rtol * (|expected| + rms(expected))}; returns the worst relative error. */
  public static double assertClose(String what, float[] actual, float[] expected, double rtol) {
    assertThat(actual.length).as("%s length", what).isEqualTo(expected.length);
    double sumSq = 0;
    for (float v : expected) {
      sumSq += (double) v * v;
    }
    double rms = Math.sqrt(sumSq / Math.max(1, expected.length));
    double worst = 0;
    int worstAt = -1;
    for (int i = 0; i < expected.length; i++) {
      double scale = Math.abs(expected[i]) + rms + 1e-12;
      double rel = Math.abs((double) actual[i] - expected[i]) / scale;
      if (!(rel <= worst)) {
        worst = rel;
        worstAt = i;
      }
    }
    if (worstAt >= 0) {
      assertThat(worst).as("%s: worst relative error at %d (actual %s, torchvision %s)", what, worstAt,
          actual[worstAt], expected[worstAt]).isLessThanOrEqualTo(rtol);
    }
    return worst;
  }
}
