package dev.lowlight.data.synth;

/**
 * The noise models of the presets, applied in place to linear (camera RGB or RAW) values.
 *
 * <p>These are the per-row kernels the synthesizers call, public so that tests can check their
 * statistics directly on linear values.
 */
public final class NoiseStage {

  private NoiseStage() {}

  /**
   * Heteroscedastic Gaussian shot and read noise (Brooks et al. 2019; MAET): {@code x ← x + N(0,
   * σ)} with standard deviation {@code σ = sqrt(max(x·shot + read, 1e-8))}, so that the variance
   * is {@code shot·x + read}.
   */
  public static void shotRead(float[] v, int from, int to, float shot, float read, SeededRandom rng) {
    for (int i = from; i < to; i++) {
      v[i] = shotRead(v[i], shot, read, rng);
    }
  }

  /**
   * {@link #shotRead} followed by {@link #uniform} in one pass; the uniform draw reuses spare bits
   * of the normal draw, which halves the random bits needed (the two are independent).
   */
  public static void shotReadUniform(float[] v, int from, int to, float shot, float read,
      float halfWidth, SeededRandom rng) {
    float w = 2 * halfWidth;
    for (int i = from; i < to; i++) {
      v[i] = shotReadUniform(v[i], shot, read, w, rng);
    }
  }

  /**
   * One value of {@link #shotReadUniform(float[], int, int, float, float, float, SeededRandom)}
   * with {@code width = 2·halfWidth}; the synthesizers' fused per-pixel loops call this.
   */
  static float shotReadUniform(float x, float shot, float read, float width, SeededRandom rng) {
    float var = x * shot + read;
    if (!(var > 1e-8f)) {
      var = 1e-8f;
    }
    long bits = rng.nextLong();
    float n = (float) (Math.sqrt(var) * rng.gaussian(bits));
    return x + n + (SeededRandom.spareUniform(bits) - 0.5f) * width;
  }

  /** One value of {@link #shotRead(float[], int, int, float, float, SeededRandom)}. */
  static float shotRead(float x, float shot, float read, SeededRandom rng) {
    float var = x * shot + read;
    if (!(var > 1e-8f)) {
      var = 1e-8f;
    }
    return x + (float) (Math.sqrt(var) * rng.nextGaussian());
  }

  /** Uniform quantisation noise {@code x ← x + U(−halfWidth, halfWidth)}. */
  public static void uniform(float[] v, int from, int to, float halfWidth, SeededRandom rng) {
    float w = 2 * halfWidth;
    for (int i = from; i < to; i++) {
      v[i] += (rng.nextFloat() - 0.5f) * w;
    }
  }

  /** Rounds to the nearest multiple of {@code step} ({@code maet-release}'s quantisation). */
  public static void round(float[] v, int from, int to, float step) {
    float inv = 1f / step;
    for (int i = from; i < to; i++) {
      v[i] = (float) Math.rint(v[i] * inv) * step;
    }
  }

  /**
   * The RAW noise of ELD (Wei et al., CVPR 2020) as used by LIS, on values in DN above black:
   * Poisson shot noise with system gain {@code k} ({@code x ← K·Poisson(x/K)}), Gaussian read
   * noise {@code N(0, readSigma)}, one row offset {@code N(0, rowSigma)} shared by the whole row
   * and uniform quantisation noise {@code U(−½, ½)} DN.
   */
  public static void raw(float[] v, int from, int to, double k, double readSigma, double rowSigma,
      SeededRandom rng) {
    double rowOffset = rowSigma * rng.nextGaussian();
    double invK = 1.0 / k;
    for (int i = from; i < to; i++) {
      double shot = k * rng.poisson(Math.max(0, v[i]) * invK);
      double read = readSigma * rng.nextGaussian();
      double quant = rng.nextDouble() - 0.5;
      v[i] = (float) (shot + read + rowOffset + quant);
    }
  }
}
