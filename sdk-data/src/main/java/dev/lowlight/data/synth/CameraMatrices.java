package dev.lowlight.data.synth;

import java.util.List;

/**
 * Colour matrices between linear sRGB and the colour space of real camera sensors, used to
 * unprocess an sRGB image into camera RGB and back.
 *
 * <p>The XYZ → camera matrices are the four real-camera matrices (D65 {@code ColorMatrix} values of
 * DNG profiles) that Brooks et al., "Unprocessing Images for Learned Raw Denoising", CVPR 2019,
 * ship with their released code and that MAET (Cui et al., ICCV 2021) and LIS (Chen et al., IJCV
 * 2023) reuse. A camera's sRGB → camera matrix is {@code xyz2cam · rgb2xyz}, normalised one of two
 * ways ({@link Normalisation}): Brooks et al. divide each row by its sum, so that white stays white
 * (the white balance gains carry the colour cast); MAET's code divides by the same row sums but,
 * without keeping the summed axis, broadcasts them along the columns.
 */
public final class CameraMatrices {

  /** How the product {@code xyz2cam · rgb2xyz} is normalised. */
  public enum Normalisation {
    /**
     * Brooks et al.'s {@code rgb2cam / sum(rgb2cam, axis=-1, keepdims=True)}: entry {@code (i, j)}
     * divided by the sum of row {@code i}; every row sums to 1 and white maps to white.
     */
    ROWS("rows"),
    /**
     * MAET's code, {@code rgb2cam / np.sum(rgb2cam, axis=-1)} without {@code keepdims}: NumPy
     * broadcasts the vector of row sums along the last axis, so entry {@code (i, j)} is divided by
     * the sum of row {@code j}; white maps to about (0.69–0.89, 1.13–1.28, 0.91–0.99) for the four
     * cameras.
     */
    COLUMNS("columns");

    private final String configName;

    Normalisation(String configName) {
      this.configName = configName;
    }

    /** The spelling in options ({@code rows}, {@code columns}). */
    public String configName() {
      return configName;
    }

    /** The normalisation spelled {@code name}. */
    public static Normalisation fromConfig(String name) {
      for (Normalisation n : values()) {
        if (n.configName.equals(name)) {
          return n;
        }
      }
      throw new IllegalArgumentException("unknown matrix normalisation '" + name + "'; valid: rows, columns");
    }
  }

  /** The XYZ → camera matrices, row-major 3×3 each. */
  public static final List<double[]> XYZ_TO_CAMERA = List.of(
      new double[] {1.0234, -0.2969, -0.2266, -0.5625, 1.6328, -0.0469, -0.0703, 0.2188, 0.6406},
      new double[] {0.4913, -0.0541, -0.0202, -0.613, 1.3513, 0.2906, -0.1564, 0.2151, 0.7183},
      new double[] {0.838, -0.263, -0.0639, -0.2887, 1.0725, 0.2496, -0.0627, 0.1427, 0.5438},
      new double[] {0.6596, -0.2079, -0.0562, -0.4782, 1.3016, 0.1933, -0.097, 0.1581, 0.5181});

  /**
   * The one calibrated camera → linear sRGB matrix of LIS's code ({@code get_calibrated_cam2rgb} in
   * its {@code noisemodel/unprocess.py}), row-major; each row sums to 1. LIS unprocesses with its
   * inverse instead of a random camera.
   */
  public static final double[] LIS_CAMERA_TO_SRGB = {
      2.04840695, -1.27161572, 0.22320878,
      -0.22163155, 1.77694640, -0.55531485,
      -0.00770995, -0.59257895, 1.60028890};

  /** Linear sRGB (D65) → CIE XYZ, row-major. */
  public static final double[] SRGB_TO_XYZ = {
      0.4124564, 0.3575761, 0.1804375,
      0.2126729, 0.7151522, 0.0721750,
      0.0193339, 0.1191920, 0.9503041};

  private CameraMatrices() {}

  /** The sRGB → camera matrix of camera {@code index}, rows normalised to sum 1. */
  public static double[] srgbToCamera(int index) {
    return srgbToCamera(index, Normalisation.ROWS);
  }

  /** The sRGB → camera matrix of camera {@code index}, normalised as {@code n} says. */
  public static double[] srgbToCamera(int index, Normalisation n) {
    return normalise(multiply(XYZ_TO_CAMERA.get(index), SRGB_TO_XYZ), n);
  }

  /**
   * The sRGB → camera matrix of a convex combination of the cameras with the given non-negative
   * weights (Brooks et al.'s {@code random_ccm}), rows normalised to sum 1.
   */
  public static double[] srgbToCameraMix(double[] weights) {
    return srgbToCameraMix(weights, Normalisation.ROWS);
  }

  /** {@link #srgbToCameraMix(double[])} normalised as {@code n} says. */
  public static double[] srgbToCameraMix(double[] weights, Normalisation n) {
    if (weights.length != XYZ_TO_CAMERA.size()) {
      throw new IllegalArgumentException("expected " + XYZ_TO_CAMERA.size() + " weights, got " + weights.length);
    }
    double sum = 0;
    for (double w : weights) {
      sum += w;
    }
    double[] xyz2cam = new double[9];
    for (int k = 0; k < weights.length; k++) {
      double[] m = XYZ_TO_CAMERA.get(k);
      for (int i = 0; i < 9; i++) {
        xyz2cam[i] += m[i] * weights[k] / sum;
      }
    }
    return normalise(multiply(xyz2cam, SRGB_TO_XYZ), n);
  }

  /** {@code a · b} for row-major 3×3 matrices. */
  public static double[] multiply(double[] a, double[] b) {
    double[] c = new double[9];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        c[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
      }
    }
    return c;
  }

  /** The inverse of a row-major 3×3 matrix, by the adjugate. */
  public static double[] invert(double[] m) {
    double a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5], g = m[6], h = m[7], i = m[8];
    double ca = e * i - f * h;
    double cb = -(d * i - f * g);
    double cc = d * h - e * g;
    double det = a * ca + b * cb + c * cc;
    if (Math.abs(det) < 1e-12) {
      throw new IllegalArgumentException("colour matrix is singular (determinant " + det + ")");
    }
    return new double[] {
        ca / det, -(b * i - c * h) / det, (b * f - c * e) / det,
        cb / det, (a * i - c * g) / det, -(a * f - c * d) / det,
        cc / det, -(a * h - b * g) / det, (a * e - b * d) / det};
  }

  /** {@code diag(left) · m · diag(right)}; either may be null for the identity. */
  public static double[] scale(double[] left, double[] m, double[] right) {
    double[] out = new double[9];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        out[i * 3 + j] = m[i * 3 + j] * (left == null ? 1 : left[i]) * (right == null ? 1 : right[j]);
      }
    }
    return out;
  }

  /** {@code m} with entry {@code (i, j)} divided by the sum of row {@code i} (rows) or {@code j} (columns). */
  static double[] normalise(double[] m, Normalisation n) {
    double[] rowSums = new double[3];
    for (int i = 0; i < 3; i++) {
      rowSums[i] = m[i * 3] + m[i * 3 + 1] + m[i * 3 + 2];
    }
    double[] out = new double[9];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        out[i * 3 + j] = m[i * 3 + j] / rowSums[n == Normalisation.ROWS ? i : j];
      }
    }
    return out;
  }
}
