package dev.lowlight.data.scenes;

import dev.lowlight.data.synth.SeededRandom;

/** The fill of one object: a saturated colour with a linear shading gradient across it. */
final class Paint {

  private final float[] rgb;
  private final double dirX;
  private final double dirY;
  private final double cx;
  private final double cy;
  private final double strength;

  private Paint(float[] rgb, double angle, double cx, double cy, double extent, double shade) {
    this.rgb = rgb;
    this.dirX = StrictMath.cos(angle) / Math.max(1, extent);
    this.dirY = StrictMath.sin(angle) / Math.max(1, extent);
    this.cx = cx;
    this.cy = cy;
    this.strength = shade;
  }

  static Paint random(SeededRandom rng, double cx, double cy, double extent) {
    float[] rgb = Backgrounds.hsv(rng.nextDouble(), rng.uniform(0.35, 1.0), rng.uniform(0.35, 1.0));
    return new Paint(rgb, rng.uniform(0, 2 * Math.PI), cx, cy, extent, rng.uniform(0, 0.5));
  }

  /** Writes the colour at {@code (x, y)} into {@code out[at..at+2]}. */
  void fill(double x, double y, float[] out, int at) {
    double t = (x - cx) * dirX + (y - cy) * dirY; // in [-0.5, 0.5] across the object
    float f = (float) (1 + strength * t);
    out[at] = Math.min(1f, rgb[0] * f);
    out[at + 1] = Math.min(1f, rgb[1] * f);
    out[at + 2] = Math.min(1f, rgb[2] * f);
  }
}
