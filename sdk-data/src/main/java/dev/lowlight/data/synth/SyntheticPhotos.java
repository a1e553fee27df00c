package dev.lowlight.data.synth;

import dev.lowlight.api.structures.RgbImage;

/**
 * Seeded stand-ins for photographs, for tests and benchmarks that need a natural-looking input
 * without reading a file: the same seed gives the same image on every machine.
 *
 * <pre>{@code
 * RgbImage photo = SyntheticPhotos.natural(640, 480, 7);
 * }</pre>
 */
public final class SyntheticPhotos {

  private SyntheticPhotos() {}

  /**
   * A natural-looking 8-bit image of {@code width × height}: smooth colour gradients with fine
   * texture, every value on the 8-bit grid (as a decoded JPEG would be).
   */
  public static RgbImage natural(int width, int height, long seed) {
    SeededRandom rng = new SeededRandom(seed);
    float[] px = new float[width * height * 3];
    double[] a = new double[9];
    for (int i = 0; i < 9; i++) {
      a[i] = rng.nextDouble();
    }
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double u = x / (double) width;
        double v = y / (double) height;
        for (int c = 0; c < 3; c++) {
          double val = 0.5 * (a[c] * u + a[c + 3] * v) + 0.3 * a[c + 6] + 0.05 * rng.nextDouble();
          px[(y * width + x) * 3 + c] = Curves.quantise8((float) val);
        }
      }
    }
    return new RgbImage(width, height, px);
  }
}
