package dev.lowlight.api.structures;

/**
 * An sRGB image as floats in {@code [0, 1]}, interleaved row-major {@code H×W×3} (pixel {@code
 * (y, x)} channel {@code c} at {@code (y * width + x) * 3 + c}). This is the currency of data
 * synthesis and loading, which run without any engine.
 *
 * @param width width in pixels, at least 1
 * @param height height in pixels, at least 1
 * @param pixels {@code height * width * 3} values
 */
public record RgbImage(int width, int height, float[] pixels) {

  public RgbImage {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    }
    if (pixels.length != (long) width * height * 3) {
      throw new IllegalArgumentException("expected " + (long) width * height * 3
          + " values for a " + width + "x" + height + " RGB image, got " + pixels.length);
    }
  }

  /** A black image. */
  public static RgbImage black(int width, int height) {
    return new RgbImage(width, height, new float[width * height * 3]);
  }

  /** The value at row {@code y}, column {@code x}, channel {@code c}. */
  public float get(int y, int x, int c) {
    return pixels[(y * width + x) * 3 + c];
  }

  /** The pixels as planar {@code 3×H×W}, the layout of model inputs. */
  public float[] toChw() {
    int plane = width * height;
    float[] chw = new float[plane * 3];
    for (int i = 0; i < plane; i++) {
      chw[i] = pixels[i * 3];
      chw[plane + i] = pixels[i * 3 + 1];
      chw[2 * plane + i] = pixels[i * 3 + 2];
    }
    return chw;
  }
}
