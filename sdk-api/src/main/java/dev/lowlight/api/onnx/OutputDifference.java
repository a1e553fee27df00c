package dev.lowlight.api.onnx;

import java.util.Locale;

/**
 * How far one computation's output is from another's, element by element, with the tolerance the
 * conformance kit and the export check share: {@code |actual − expected| ≤ rtol · (|expected| +
 * rms(expected))}, so values near zero are judged on the output's own scale. NaN never agrees.
 *
 * <pre>{@code
 * OutputDifference d = OutputDifference.of(djl, onnx, 1e-4);
 * if (d != null) fail("output 0: " + d.describe());
 * }</pre>
 *
 * @param differing how many values are out of tolerance
 * @param total how many values there are
 * @param worstIndex the flat index of the worst one
 * @param expected its expected value
 * @param actual its actual value
 * @param ratio its difference over the allowed one
 * @param rtol the relative tolerance
 */
public record OutputDifference(int differing, int total, int worstIndex, float expected, float actual, double ratio,
    double rtol) {

  /** The difference of {@code actual} from {@code expected}, or null when every value is within {@code rtol}. */
  public static OutputDifference of(float[] expected, float[] actual, double rtol) {
    double sumSq = 0;
    for (float v : expected) {
      sumSq += (double) v * v;
    }
    double rms = Math.sqrt(sumSq / Math.max(1, expected.length));
    int differing = 0;
    int worstAt = -1;
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      double diff = Math.abs((double) actual[i] - expected[i]);
      double allowed = rtol * (Math.abs(expected[i]) + rms + 1e-12);
      if (!(diff <= allowed)) {
        differing++;
        double ratio = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff / allowed;
        if (ratio > worst || worstAt < 0) {
          worst = ratio;
          worstAt = i;
        }
      }
    }
    return worstAt < 0 ? null : new OutputDifference(differing, expected.length, worstAt, expected[worstAt],
        actual[worstAt], worst, rtol);
  }

  /** {@code 12 of 640 values differ, worst at index 5: onnx=0.1 djl=0.9 (8e+03 times the allowed 0.001 relative)}. */
  public String describe(String actualName, String expectedName) {
    return String.format(Locale.ROOT, "%d of %d values differ, worst at index %d: %s=%g %s=%g (%.3g times the allowed"
        + " %g relative)", differing, total, worstIndex, actualName, actual, expectedName, expected, ratio, rtol);
  }
}
