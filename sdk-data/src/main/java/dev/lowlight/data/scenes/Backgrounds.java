package dev.lowlight.data.scenes;

import dev.lowlight.data.synth.SeededRandom;

/** Background renderers: gradients with optional checker, stripe or value-noise texture. */
final class Backgrounds {

  private Backgrounds() {}

  /** A background of one of five kinds, as interleaved RGB in [0, 1]. */
  static float[] render(int width, int height, SeededRandom rng) {
    float[] a = hsv(rng.nextDouble(), rng.uniform(0, 0.5), rng.uniform(0.25, 0.9));
    float[] b = hsv(rng.nextDouble(), rng.uniform(0, 0.5), rng.uniform(0.25, 0.9));
    int kind = rng.nextInt(5);
    boolean radial = rng.nextInt(2) == 0;
    double angle = rng.uniform(0, 2 * Math.PI);
    double gx = StrictMath.cos(angle);
    double gy = StrictMath.sin(angle);
    double ox = rng.uniform(0, width);
    double oy = rng.uniform(0, height);
    double diag = StrictMath.sqrt((double) width * width + (double) height * height);
    double cell = rng.uniform(6, 40);
    double amp = rng.uniform(0.04, 0.15);
    double stripeAngle = rng.uniform(0, Math.PI);
    double sx = StrictMath.cos(stripeAngle);
    double sy = StrictMath.sin(stripeAngle);
    int gw = (int) (width / cell) + 2;
    int gh = (int) (height / cell) + 2;
    float[] grid = new float[gw * gh];
    for (int i = 0; i < grid.length; i++) {
      grid[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    float[] px = new float[width * height * 3];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double t;
        if (radial) {
          double dx = x - ox;
          double dy = y - oy;
          t = StrictMath.sqrt(dx * dx + dy * dy) / diag;
        } else {
          t = ((x - width / 2.0) * gx + (y - height / 2.0) * gy) / diag + 0.5;
        }
        t = Math.min(1, Math.max(0, t));
        double tex;
        switch (kind) {
          case 1:
            tex = (((int) StrictMath.floor(x / cell) + (int) StrictMath.floor(y / cell)) & 1) == 0 ? amp : -amp;
            break;
          case 2:
            tex = amp * StrictMath.sin(2 * Math.PI * (x * sx + y * sy) / cell);
            break;
          case 3:
            tex = amp * valueNoise(grid, gw, x / cell, y / cell);
            break;
          case 4:
            tex = amp * valueNoise(grid, gw, x / cell, y / cell)
                + 0.5 * amp * StrictMath.sin(2 * Math.PI * (x * sx + y * sy) / (cell * 0.5));
            break;
          default:
            tex = 0;
        }
        int o = (y * width + x) * 3;
        for (int c = 0; c < 3; c++) {
          double v = a[c] * (1 - t) + b[c] * t + tex;
          px[o + c] = (float) Math.min(1, Math.max(0, v));
        }
      }
    }
    return px;
  }

  private static double valueNoise(float[] grid, int gw, double u, double v) {
    int i = (int) u;
    int j = (int) v;
    double fu = u - i;
    double fv = v - j;
    // Smooth interpolation weights avoid visible grid lines.
    fu = fu * fu * (3 - 2 * fu);
    fv = fv * fv * (3 - 2 * fv);
    double a = grid[j * gw + i] * (1 - fu) + grid[j * gw + i + 1] * fu;
    double b = grid[(j + 1) * gw + i] * (1 - fu) + grid[(j + 1) * gw + i + 1] * fu;
    return a * (1 - fv) + b * fv;
  }

  /** HSV (each in [0, 1]) to RGB. */
  static float[] hsv(double h, double s, double v) {
    double hh = (h - StrictMath.floor(h)) * 6;
    int sector = (int) hh;
    double f = hh - sector;
    double p = v * (1 - s);
    double q = v * (1 - s * f);
    double t = v * (1 - s * (1 - f));
    double r;
    double g;
    double b;
    switch (sector % 6) {
      case 0: r = v; g = t; b = p; break;
      case 1: r = q; g = v; b = p; break;
      case 2: r = p; g = v; b = t; break;
      case 3: r = p; g = q; b = v; break;
      case 4: r = t; g = p; b = v; break;
      default: r = v; g = p; b = q; break;
    }
    return new float[] {(float) r, (float) g, (float) b};
  }
}
