package dev.lowlight.data.synth;

/**
 * A small, fast, seeded random generator whose output is fixed by this class alone, so that a
 * synthesised dataset is the same byte for byte on every JVM and machine.
 *
 * <p>The bit source is SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014), the algorithm behind {@link java.util.SplittableRandom}; it is
 * re-implemented here so that the normal and Poisson samplers built on top of it do not depend on
 * a JDK version's choice of algorithm. Normal deviates come from the ziggurat of Marsaglia and Tsang
 * (J. Stat. Softw. 5(8), 2000) with 128 layers, exact up to the resolution of the 32-bit layer
 * draw; transcendental functions on its rare slow path use {@link StrictMath} for portability.
 *
 * <p>Not thread-safe: parallel code derives one generator per row with {@link #forStream(long,
 * long, long)}, so the result does not depend on how rows are spread over threads.
 *
 * <pre>{@code
 * SeededRandom rng = new SeededRandom(42);
 * double g = rng.nextGaussian();
 * }</pre>
 */
public final class SeededRandom {

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private static final double DOUBLE_UNIT = 0x1.0p-53;
  private static final float FLOAT_UNIT = 0x1.0p-24f;

  // Ziggurat tables (Marsaglia & Tsang 2000, 128 layers).
  private static final double ZIG_R = 3.442619855899;
  private static final int[] KN = new int[128];
  private static final double[] WN = new double[128];
  private static final double[] FN = new double[128];

  static {
    double m1 = 2147483648.0;
    double dn = ZIG_R;
    double tn = dn;
    double vn = 9.91256303526217e-3;
    double q = vn / StrictMath.exp(-0.5 * dn * dn);
    KN[0] = (int) ((dn / q) * m1);
    KN[1] = 0;
    WN[0] = q / m1;
    WN[127] = dn / m1;
    FN[0] = 1.0;
    FN[127] = StrictMath.exp(-0.5 * dn * dn);
    for (int i = 126; i >= 1; i--) {
      dn = StrictMath.sqrt(-2.0 * StrictMath.log(vn / dn + StrictMath.exp(-0.5 * dn * dn)));
      KN[i + 1] = (int) ((dn / tn) * m1);
      tn = dn;
      FN[i] = StrictMath.exp(-0.5 * dn * dn);
      WN[i] = dn / m1;
    }
  }

  private long state;

  /** A generator seeded with {@code seed}. */
  public SeededRandom(long seed) {
    this.state = seed;
  }

  /**
   * An independent generator for one stream (for example one image row) of one stage, derived
   * from the image seed by hashing, so that streams do not overlap in practice.
   */
  public static SeededRandom forStream(long seed, long stage, long index) {
    long h = mix64(seed ^ mix64(stage * GOLDEN + 0x632BE59BD9B4E019L));
    h = mix64(h + (index + 1) * GOLDEN);
    return new SeededRandom(h);
  }

  /** The SplitMix64 finaliser, a good 64-bit hash. */
  public static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** 64 random bits. */
  public long nextLong() {
    return mix64(state += GOLDEN);
  }

  /** 32 random bits. */
  public int nextInt() {
    return (int) (nextLong() >>> 32);
  }

  /** Uniform in {@code [0, bound)}; {@code bound} must be positive. */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    // Multiply-shift keeps the bias below 2^-32, negligible for the small bounds used here.
    return (int) (((nextLong() >>> 32) * bound) >>> 32);
  }

  /** Uniform in {@code [0, 1)} with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * DOUBLE_UNIT;
  }

  /** Uniform in {@code [0, 1)} with 24 random bits. */
  public float nextFloat() {
    return (nextLong() >>> 40) * FLOAT_UNIT;
  }

  /** Uniform in {@code [min, max)}; {@code min} when they are equal. */
  public double uniform(double min, double max) {
    return min + (max - min) * nextDouble();
  }

  /** Log-uniform in {@code [min, max)}, both positive. */
  public double logUniform(double min, double max) {
    return StrictMath.exp(uniform(StrictMath.log(min), StrictMath.log(max)));
  }

  /** A standard normal deviate (ziggurat). */
  public double nextGaussian() {
    return gaussian(nextLong());
  }

  /**
   * The normal deviate that the 64 random bits {@code bits} (fresh from {@link #nextLong()}) start;
   * the ziggurat reads bits 0–31 and 57–63 only, so bits 32–56 remain free for {@link
   * #spareUniform(long)}. On the rare slow path it draws more from this generator.
   */
  public double gaussian(long bits) {
    int hz = (int) bits;
    // The layer index comes from bits that do not also form the deviate, which avoids the
    // correlation of the original 32-bit version.
    int iz = (int) (bits >>> 57);
    if (Math.abs(hz) < KN[iz]) {
      return hz * WN[iz];
    }
    return slowGaussian(hz, iz);
  }

  /** A uniform float in {@code [0, 1)} from bits 33–56 of {@code bits}, which {@link #gaussian(long)} leaves unused. */
  public static float spareUniform(long bits) {
    return ((int) (bits >>> 33) & 0xFFFFFF) * FLOAT_UNIT;
  }

  private double slowGaussian(int hz, int iz) {
    while (true) {
      double x = hz * WN[iz];
      if (iz == 0) {
        double xx;
        double yy;
        do {
          xx = -StrictMath.log(1.0 - nextDouble()) / ZIG_R;
          yy = -StrictMath.log(1.0 - nextDouble());
        } while (yy + yy < xx * xx);
        return hz > 0 ? ZIG_R + xx : -ZIG_R - xx;
      }
      double f = FN[iz] + nextDouble() * (FN[iz - 1] - FN[iz]);
      double h = 0.5 * x * x;
      // Squeeze 1 - h <= exp(-h) <= 1 / (1 + h): most wedge tests are settled without exp.
      if (f < 1 - h) {
        return x;
      }
      if (f < 1 / (1 + h) && f < StrictMath.exp(-h)) {
        return x;
      }
      long bits = nextLong();
      hz = (int) bits;
      iz = (int) (bits >>> 57);
      if (Math.abs(hz) < KN[iz]) {
        return hz * WN[iz];
      }
    }
  }

  /** A normal deviate with the given mean and standard deviation. */
  public double normal(double mean, double std) {
    return mean + std * nextGaussian();
  }

  /**
   * A normal deviate conditioned on {@code [min, max]}, by rejection; fails loudly instead of
   * looping forever when the interval holds almost no probability mass.
   */
  public double truncatedNormal(double mean, double std, double min, double max) {
    if (std == 0) {
      return Math.min(max, Math.max(min, mean));
    }
    for (int i = 0; i < 100_000; i++) {
      double v = mean + std * nextGaussian();
      if (v >= min && v <= max) {
        return v;
      }
    }
    throw new IllegalArgumentException("truncated normal N(" + mean + ", " + std + ") on [" + min
        + ", " + max + "] has too little mass to sample by rejection");
  }

  /**
   * A Poisson deviate with mean {@code lambda >= 0}. Exact (sequential inversion) for {@code
   * lambda < 30}; above, the normal approximation {@code round(lambda + sqrt(lambda) z)} clamped
   * at zero, whose skewness error {@code 1/sqrt(lambda) < 0.19} is far below what a photon count
   * of that size can reveal in an 8-bit image.
   */
  public double poisson(double lambda) {
    if (!(lambda > 0)) {
      return 0;
    }
    if (lambda < POISSON_EXACT_LIMIT) {
      double p = StrictMath.exp(-lambda);
      double cdf = p;
      double u = nextDouble();
      int k = 0;
      while (u > cdf && k < 1000) {
        k++;
        p *= lambda / k;
        cdf += p;
      }
      return k;
    }
    double v = Math.rint(lambda + Math.sqrt(lambda) * nextGaussian());
    return v < 0 ? 0 : v;
  }

  /** Uniform in the open interval {@code (0, 1)} with 53 random bits: never 0, never 1. */
  public double nextOpenDouble() {
    return ((nextLong() >>> 11) + 0.5) * DOUBLE_UNIT;
  }

  /**
   * A Tukey-lambda deviate with shape {@code lambda} and unit scale, by inversion of the quantile
   * function ({@link TukeyLambda#quantile}) at a uniform {@code u} in the open interval (0, 1), so
   * that both tails stay finite.
   */
  public double tukeyLambda(double lambda) {
    return TukeyLambda.quantile(lambda, nextOpenDouble());
  }

  /** Below this mean {@link #poisson(double)} is exact. */
  public static final double POISSON_EXACT_LIMIT = 30.0;
}
