package dev.lowlight.runtime;

import java.awt.image.BufferedImage;

/** Conversions from Java images to the model's input layout: planar RGB floats in {@code [0, 1]}. */
public final class ImageTensors {

  private ImageTensors() {}

  /**
   * A {@link BufferedImage} of any type as planar {@code 3xHxW} sRGB floats {@code k/255} (alpha
   * dropped, grey replicated), the layout of the model's {@code image} input.
   */
  public static float[] toChw(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int plane = w * h;
    float[] chw = new float[3 * plane];
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int p = row[x];
        int i = y * w + x;
        chw[i] = ((p >> 16) & 0xff) / 255f;
        chw[plane + i] = ((p >> 8) & 0xff) / 255f;
        chw[2 * plane + i] = (p & 0xff) / 255f;
      }
    }
    return chw;
  }
}
