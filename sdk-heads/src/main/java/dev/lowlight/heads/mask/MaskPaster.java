package dev.lowlight.heads.mask;

/**
 * torchvision's {@code paste_masks_in_image} in plain Java (no engine, so ONNX-only runtimes use
 * it): each {@code M×M} mask is padded by one zero pixel per side, its box is expanded by {@code
 * (M+2)/M} about its centre and truncated to integers, the padded mask is resized bilinearly
 * ({@code align_corners=False}) to the box's {@code (w+1)×(h+1)} pixels, and the part inside the
 * image is written into a zero image.
 *
 * <pre>{@code
 * float[] probs = MaskPaster.paste(masks28, 28, boxes, imageH, imageW);   // [R, H, W]
 * boolean[] binary = MaskPaster.binarize(probs, 0.5f);
 * }</pre>
 */
public final class MaskPaster {

  /** The threshold torchvision's references apply to pasted probabilities. */
  public static final float THRESHOLD = 0.5f;

  private MaskPaster() {}

  /**
   * Pastes every mask into an image of {@code imageH × imageW}.
   *
   * @param masks {@code [R, side, side]} row-major probabilities
   * @param boxes flat {@code xyxy} in image pixels, R boxes
   * @return {@code [R, imageH, imageW]} row-major
   */
  public static float[] paste(float[] masks, int side, float[] boxes, int imageH, int imageW) {
    int r = boxes.length / 4;
    if (boxes.length % 4 != 0 || masks.length != r * side * side) {
      throw new IllegalArgumentException("paste needs " + side + "x" + side + " values per box: " + masks.length
          + " mask values for " + boxes.length / 4.0 + " boxes");
    }
    if (imageH < 1 || imageW < 1) {
      throw new IllegalArgumentException("image size must be positive, got " + imageH + "x" + imageW);
    }
    float[] out = new float[r * imageH * imageW];
    for (int i = 0; i < r; i++) {
      pasteOne(masks, i * side * side, side, boxes, 4 * i, out, i * imageH * imageW, imageH, imageW);
    }
    return out;
  }

  /** {@code value > threshold} for every value. */
  public static boolean[] binarize(float[] probabilities, float threshold) {
    boolean[] out = new boolean[probabilities.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = probabilities[i] > threshold;
    }
    return out;
  }

  private static void pasteOne(float[] masks, int from, int side, float[] boxes, int b, float[] out, int to,
      int imageH, int imageW) {
    int padded = side + 2;
    float scale = (float) padded / side;
    float wHalf = (boxes[b + 2] - boxes[b]) * 0.5f * scale;
    float hHalf = (boxes[b + 3] - boxes[b + 1]) * 0.5f * scale;
    float xc = (boxes[b + 2] + boxes[b]) * 0.5f;
    float yc = (boxes[b + 3] + boxes[b + 1]) * 0.5f;
    // torch's .to(int64) truncates toward zero
    long x0 = (long) (xc - wHalf);
    long y0 = (long) (yc - hHalf);
    long x1 = (long) (xc + wHalf);
    long y1 = (long) (yc + hHalf);
    int w = (int) Math.max(x1 - x0 + 1, 1);
    int h = (int) Math.max(y1 - y0 + 1, 1);
    int ix0 = (int) Math.max(x0, 0);
    int ix1 = (int) Math.min(x1 + 1, imageW);
    int iy0 = (int) Math.max(y0, 0);
    int iy1 = (int) Math.min(y1 + 1, imageH);
    if (ix0 >= ix1 || iy0 >= iy1) {
      return;
    }
    float scaleY = (float) padded / h;
    float scaleX = (float) padded / w;
    for (int y = iy0; y < iy1; y++) {
      int my = (int) (y - y0);
      float sy = Math.max(scaleY * (my + 0.5f) - 0.5f, 0f);
      int ya = (int) sy;
      int yb = ya + (ya < padded - 1 ? 1 : 0);
      float ly = sy - ya;
      for (int x = ix0; x < ix1; x++) {
        int mx = (int) (x - x0);
        float sx = Math.max(scaleX * (mx + 0.5f) - 0.5f, 0f);
        int xa = (int) sx;
        int xb = xa + (xa < padded - 1 ? 1 : 0);
        float lx = sx - xa;
        float v = (1 - ly) * ((1 - lx) * at(masks, from, side, ya, xa) + lx * at(masks, from, side, ya, xb))
            + ly * ((1 - lx) * at(masks, from, side, yb, xa) + lx * at(masks, from, side, yb, xb));
        out[to + y * imageW + x] = v;
      }
    }
  }

  /** Value of the zero-padded mask at padded coordinates. */
  private static float at(float[] masks, int from, int side, int py, int px) {
    int y = py - 1;
    int x = px - 1;
    if (y < 0 || x < 0 || y >= side || x >= side) {
      return 0f;
    }
    return masks[from + y * side + x];
  }
}
