package dev.lowlight.data.scenes;

import dev.lowlight.data.synth.SeededRandom;

/**
 * Uneven illumination over the whole scene: a linear falloff in a random direction plus a soft
 * spot light, multiplied into every pixel, followed by rounding to 8-bit levels so that the image
 * is exactly what a PNG of it stores.
 */
final class Lighting {

  private final double base;
  private final double slope;
  private final double dx;
  private final double dy;
  private final double spot;
  private final double sx;
  private final double sy;
  private final double sigmaFraction;

  private Lighting(SeededRandom rng, int width, int height) {
    base = rng.uniform(0.75, 1.0);
    slope = rng.uniform(-0.45, 0.45);
    double angle = rng.uniform(0, 2 * Math.PI);
    dx = StrictMath.cos(angle);
    dy = StrictMath.sin(angle);
    spot = rng.uniform(0, 0.45);
    sx = rng.uniform(0, width);
    sy = rng.uniform(0, height);
    sigmaFraction = rng.uniform(0.15, 0.5);
  }

  /** A random light for an image of the given size. */
  static Lighting random(SeededRandom rng, int width, int height) {
    return new Lighting(rng, width, height);
  }

  /** Multiplies the light into {@code px} and rounds to 8-bit levels. */
  void apply(int width, int height, float[] px) {
    double diag = StrictMath.sqrt((double) width * width + (double) height * height);
    double sigma = sigmaFraction * diag;
    double inv2s2 = 1 / (2 * sigma * sigma);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double t = ((x - width / 2.0) * dx + (y - height / 2.0) * dy) / diag;
        double ex = x - sx;
        double ey = y - sy;
        double l = base + slope * t + spot * StrictMath.exp(-(ex * ex + ey * ey) * inv2s2);
        l = Math.min(1.4, Math.max(0.25, l));
        int o = (y * width + x) * 3;
        for (int c = 0; c < 3; c++) {
          double v = px[o + c] * l;
          v = Math.min(1, Math.max(0, v));
          px[o + c] = (float) (StrictMath.rint(v * 255) / 255.0);
        }
      }
    }
  }
}
