package dev.lowlight.api.testing;

import java.nio.charset.StandardCharsets;

/**
 * The deterministic generator of {@code tools/fixtures/make_backbone_fixtures.py}, bit for bit:
 * splitmix64 seeded per tensor by FNV-1a of its name, top 24 bits to a float in [-1, 1), scaled by
 * the tensor's role. Both sides use integer arithmetic, so the weights need not be committed.
 * Shared through the sdk-api test-jar by every module whose parity fixtures use it.
 */
public final class FixtureRandom {

  public static final long BASE_SEED = 20250214L;
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private FixtureRandom() {}

  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  public static long fnv1a64(String text) {
    long h = 0xCBF29CE484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001B3L;
    }
    return h;
  }

  /** {@code n} values in [-1, 1) for the tensor {@code name}, in double precision as in Python. */
  public static double[] uniform(String name, int n) {
    long state = mix(BASE_SEED ^ fnv1a64(name));
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      state += GOLDEN;
      long bits = mix(state) >>> 40;
      out[i] = bits / (double) (1 << 24) * 2.0 - 1.0;
    }
    return out;
  }

  /** The tensor {@code name} of shape {@code shape}, scaled as the Python script does. */
  public static float[] fill(String name, long[] shape) {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    double[] u = uniform(name, n);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      double x = u[i];
      double y;
      if (shape.length >= 2) {
        y = x * (1.0 / Math.sqrt(n / (int) shape[0]));
      } else if (name.endsWith("running_var")) {
        y = 0.5 + 0.25 * (x + 1.0);
      } else if (name.endsWith("running_mean")) {
        y = 0.1 * x;
      } else if (name.endsWith("weight")) {
        y = 1.0 + 0.1 * x;
      } else {
        y = 0.1 * x;
      }
      v[i] = (float) y;
    }
    return v;
  }
}
