package dev.lowlight.data.synth;

/**
 * Bayer RGGB mosaicking and bilinear demosaicking. Site {@code (y, x)} holds red when both are
 * even, blue when both are odd and green otherwise.
 */
public final class Bayer {

  private Bayer() {}

  /** The colour channel (0 red, 1 green, 2 blue) that site {@code (y, x)} records. */
  public static int channel(int y, int x) {
    return ((y & 1) + (x & 1));
  }

  /** Keeps one channel per pixel of an interleaved RGB image. */
  public static float[] mosaic(float[] rgb, int width, int height) {
    float[] raw = new float[width * height];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        raw[y * width + x] = rgb[(y * width + x) * 3 + channel(y, x)];
      }
    }
    return raw;
  }

  /**
   * Bilinear demosaicking of one output row into {@code out} (interleaved RGB, {@code width * 3}
   * values): each missing channel is the mean of the nearest sites of that colour. Borders mirror
   * without repeating the edge, which keeps the Bayer phase.
   */
  public static void demosaicRow(float[] raw, int width, int height, int y, float[] out) {
    int ym = reflect(y - 1, height);
    int yp = reflect(y + 1, height);
    for (int x = 0; x < width; x++) {
      int xm = reflect(x - 1, width);
      int xp = reflect(x + 1, width);
      float c = raw[y * width + x];
      float cross = 0.25f * (raw[ym * width + x] + raw[yp * width + x] + raw[y * width + xm] + raw[y * width + xp]);
      float diag = 0.25f * (raw[ym * width + xm] + raw[ym * width + xp] + raw[yp * width + xm] + raw[yp * width + xp]);
      float horiz = 0.5f * (raw[y * width + xm] + raw[y * width + xp]);
      float vert = 0.5f * (raw[ym * width + x] + raw[yp * width + x]);
      int o = x * 3;
      boolean evenRow = (y & 1) == 0;
      boolean evenCol = (x & 1) == 0;
      if (evenRow && evenCol) { // red site
        out[o] = c;
        out[o + 1] = cross;
        out[o + 2] = diag;
      } else if (!evenRow && !evenCol) { // blue site
        out[o] = diag;
        out[o + 1] = cross;
        out[o + 2] = c;
      } else if (evenRow) { // green in a red row
        out[o] = horiz;
        out[o + 1] = c;
        out[o + 2] = vert;
      } else { // green in a blue row
        out[o] = vert;
        out[o + 1] = c;
        out[o + 2] = horiz;
      }
    }
  }

  /** Bilinear demosaicking of a whole image. */
  public static float[] demosaic(float[] raw, int width, int height) {
    float[] rgb = new float[width * height * 3];
    float[] row = new float[width * 3];
    for (int y = 0; y < height; y++) {
      demosaicRow(raw, width, height, y, row);
      System.arraycopy(row, 0, rgb, y * width * 3, width * 3);
    }
    return rgb;
  }

  private static int reflect(int i, int n) {
    if (n == 1) {
      return 0;
    }
    if (i < 0) {
      return -i;
    }
    if (i >= n) {
      return 2 * n - 2 - i;
    }
    return i;
  }
}
