package dev.lowlight.data.transform;

/**
 * Bilinear resampling of planar images with PyTorch's {@code interpolate(mode="bilinear",
 * align_corners=False)} arithmetic (float32): source coordinate {@code max(0, (dst + 0.5) * in /
 * out - 0.5)}, neighbours clamped at the last row and column. Used for images and, with the same
 * rule, for masks.
 */
public final class Bilinear {

  private Bilinear() {}

  /**
   * Resizes {@code channels} planes of {@code inH × inW} ({@code CHW} order) to {@code outH ×
   * outW}.
   */
  public static float[] resizeChw(float[] src, int channels, int inH, int inW, int outH, int outW) {
    if (src.length != (long) channels * inH * inW) {
      throw new IllegalArgumentException("expected " + (long) channels * inH * inW + " values for " + channels + "x" + inH
          + "x" + inW + ", got " + src.length);
    }
    if (outH < 1 || outW < 1) {
      throw new IllegalArgumentException("output size must be positive, got " + outH + "x" + outW);
    }
    Axis ys = new Axis(inH, outH);
    Axis xs = new Axis(inW, outW);
    float[] dst = new float[channels * outH * outW];
    for (int c = 0; c < channels; c++) {
      int inPlane = c * inH * inW;
      int outPlane = c * outH * outW;
      for (int y = 0; y < outH; y++) {
        int row0 = inPlane + ys.i0[y] * inW;
        int row1 = inPlane + ys.i1[y] * inW;
        float ly0 = ys.l0[y];
        float ly1 = ys.l1[y];
        int o = outPlane + y * outW;
        for (int x = 0; x < outW; x++) {
          int x0 = xs.i0[x];
          int x1 = xs.i1[x];
          float top = xs.l0[x] * src[row0 + x0] + xs.l1[x] * src[row0 + x1];
          float bottom = xs.l0[x] * src[row1 + x0] + xs.l1[x] * src[row1 + x1];
          dst[o + x] = ly0 * top + ly1 * bottom;
        }
      }
    }
    return dst;
  }

  /** Indices and weights along one axis. */
  private static final class Axis {
    final int[] i0;
    final int[] i1;
    final float[] l0;
    final float[] l1;

    Axis(int in, int out) {
      i0 = new int[out];
      i1 = new int[out];
      l0 = new float[out];
      l1 = new float[out];
      float scale = (float) in / out;
      for (int d = 0; d < out; d++) {
        float s = Math.max(scale * (d + 0.5f) - 0.5f, 0f);
        int lo = (int) s;
        int step = lo < in - 1 ? 1 : 0;
        float lambda = s - lo;
        i0[d] = lo;
        i1[d] = lo + step;
        l1[d] = lambda;
        l0[d] = 1f - lambda;
      }
    }
  }
}
