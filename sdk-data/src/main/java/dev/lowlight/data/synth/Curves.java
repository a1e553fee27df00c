package dev.lowlight.data.synth;

import java.util.function.DoubleUnaryOperator;

/**
 * The tone and gamma curves of the camera pipeline, and fast table versions of them.
 *
 * <p>Per-pixel transcendental functions would dominate the cost of synthesis, so the inverse curves
 * applied to the 8-bit-ish input are tabulated ({@link InputTable}, linear interpolation between
 * {@value #INPUT_INTERVALS} intervals whose nodes include every {@code k/255}, hence exact on 8-bit
 * input), and the forward curves that end in 8-bit output are replaced by an exact search over
 * the 255 decision thresholds ({@link Output8}), which gives the very byte the curve followed by
 * rounding would give.
 */
public final class Curves {

  /** Intervals of {@link InputTable}: 16 per 8-bit step, so every {@code k/255} is a node. */
  public static final int INPUT_INTERVALS = 255 * 16;

  /** {@code k/255} as floats, the values of 8-bit output. */
  static final float[] LEVELS = new float[256];

  static {
    for (int k = 0; k < 256; k++) {
      LEVELS[k] = (float) (k / 255.0);
    }
  }

  /** {@link #logNodes} of the inverse tone curve. */
  static final double[] LOG_INVERSE_TONE = InputTable.logNodes(Curves::inverseToneCurve);

  /** {@link #logNodes} of the identity. */
  static final double[] LOG_IDENTITY = InputTable.logNodes(x -> x);

  private Curves() {}

  /** Brooks et al.'s inverse of the smoothstep tone curve: {@code 0.5 − sin(asin(1 − 2y)/3)}. */
  public static double inverseToneCurve(double y) {
    double c = Math.min(1.0, Math.max(0.0, y));
    return 0.5 - StrictMath.sin(StrictMath.asin(1.0 - 2.0 * c) / 3.0);
  }

  /** The smoothstep tone curve {@code 3x² − 2x³} on {@code [0, 1]}. */
  public static double toneCurve(double x) {
    double c = Math.min(1.0, Math.max(0.0, x));
    return 3 * c * c - 2 * c * c * c;
  }

  /**
   * A monotone curve on {@code [0, 1]} tabulated for fast evaluation with linear interpolation;
   * inputs outside {@code [0, 1]} are clamped.
   */
  public static final class InputTable {
    private final float[] table;

    /** Tabulates {@code f} at {@value Curves#INPUT_INTERVALS} + 1 nodes. */
    public InputTable(DoubleUnaryOperator f) {
      table = new float[INPUT_INTERVALS + 2];
      for (int i = 0; i <= INPUT_INTERVALS; i++) {
        table[i] = (float) f.applyAsDouble(i / (double) INPUT_INTERVALS);
      }
      // A guard entry lets apply() interpolate at x = 1 without a branch.
      table[INPUT_INTERVALS + 1] = table[INPUT_INTERVALS];
    }

    private InputTable(float[] table) {
      this.table = table;
    }

    /**
     * The table of {@code max(base(x), 1e-8)^gamma} from the natural logarithms of the base curve
     * at the nodes ({@link #logNodes}); one {@code exp} per node instead of a {@code pow}, which
     * matters because the table is rebuilt for every image.
     */
    public static InputTable power(double[] logBase, double gamma) {
      return power(logBase, gamma, 1.0);
    }

    /** {@code scale · max(base(x), 1e-8)^gamma}, see {@link #power(double[], double)}. */
    public static InputTable power(double[] logBase, double gamma, double scale) {
      float[] t = new float[INPUT_INTERVALS + 2];
      for (int i = 0; i <= INPUT_INTERVALS; i++) {
        t[i] = (float) (scale * StrictMath.exp(gamma * logBase[i]));
      }
      t[INPUT_INTERVALS + 1] = t[INPUT_INTERVALS];
      return new InputTable(t);
    }

    /** {@code ln(max(base(x), 1e-8))} at the table's nodes, for {@link #power}. */
    public static double[] logNodes(DoubleUnaryOperator base) {
      double[] l = new double[INPUT_INTERVALS + 1];
      for (int i = 0; i <= INPUT_INTERVALS; i++) {
        l[i] = StrictMath.log(Math.max(base.applyAsDouble(i / (double) INPUT_INTERVALS), 1e-8));
      }
      return l;
    }

    /** {@code f(x)}. */
    public float apply(float x) {
      float t = x * INPUT_INTERVALS;
      if (!(t > 0)) {
        return table[0];
      }
      if (t >= INPUT_INTERVALS) {
        return table[INPUT_INTERVALS];
      }
      int i = (int) t;
      float frac = t - i;
      float a = table[i];
      return a + frac * (table[i + 1] - a);
    }
  }

  /**
   * Exact 8-bit quantisation of an increasing curve {@code y = f(x)} with {@code f(0) = 0} and
   * {@code f(1) = 1}: {@code quantise(x) = round(255 · f(clamp(x, 0, 1)))}, computed from the
   * inverse curve's 255 thresholds {@code f⁻¹((k − ½)/255)} instead of evaluating {@code f}. A
   * table indexed by the float's exponent and top mantissa bits gives the level at the start of
   * the value's cell; one or two comparisons finish the job.
   */
  public static final class Output8 {
    private static final int SHIFT = 14;
    private final float[] thresholds = new float[257];
    private final byte[] start;
    private final int base;
    private final float minValue;

    /** Builds the quantiser from the inverse curve {@code x = f⁻¹(y)}. */
    public Output8(DoubleUnaryOperator inverse) {
      thresholds[0] = Float.NEGATIVE_INFINITY;
      for (int k = 1; k <= 255; k++) {
        thresholds[k] = (float) inverse.applyAsDouble((k - 0.5) / 255.0);
        if (!(thresholds[k] >= thresholds[k - 1])) {
          throw new IllegalArgumentException("curve is not increasing near level " + k);
        }
      }
      thresholds[256] = Float.POSITIVE_INFINITY;
      float t1 = Math.max(thresholds[1], Float.MIN_NORMAL * 2);
      int exponent = Math.max(-125, Math.getExponent(t1) - 1);
      minValue = Math.scalb(1.0f, exponent);
      base = Float.floatToRawIntBits(minValue) >> SHIFT;
      int size = (Float.floatToRawIntBits(1.0f) >> SHIFT) - base + 1;
      start = new byte[size];
      int k = 0;
      for (int i = 0; i < size; i++) {
        float cellStart = Float.intBitsToFloat((base + i) << SHIFT);
        while (cellStart >= thresholds[k + 1]) {
          k++;
        }
        start[i] = (byte) k;
      }
    }

    /** The 8-bit level of {@code f(x)}, in {@code 0..255}; 0 for NaN. */
    public int level(float x) {
      if (x != x) {
        return 0;
      }
      // Clamping the index with min/max instead of testing the value keeps the hot path free of
      // unpredictable branches: negative values have negative bits and land in cell 0, values
      // of 1 and above in the last cell, whose level is 255.
      int idx = (Float.floatToRawIntBits(x) >> SHIFT) - base;
      idx = Math.max(0, Math.min(idx, start.length - 1));
      int k = start[idx] & 0xFF;
      while (x >= thresholds[k + 1]) {
        k++;
      }
      return k;
    }

    /** {@code level(x) / 255} as a float. */
    public float apply(float x) {
      return LEVELS[level(x)];
    }
  }

  /** Rounds {@code x} clamped to {@code [0, 1]} to the nearest 8-bit level. */
  public static float quantise8(float x) {
    if (!(x > 0)) {
      return 0f;
    }
    if (x >= 1) {
      return 1f;
    }
    return LEVELS[(int) (x * 255f + 0.5f)];
  }
}
