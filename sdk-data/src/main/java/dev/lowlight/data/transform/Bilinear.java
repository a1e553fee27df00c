package dev.lowlight.data.transform;

import dev.lowlight.api.onnx.GraphOps;

/**
 * Bilinear resampling of planar images with PyTorch's {@code interpolate(mode="bilinear",
 * align_corners=False)} arithmetic (float32): source coordinate {@code max(0, (dst + 0.5) * in /
 * out - 0.5)}, neighbours clamped at the last row and column. Used for images and, with the same
 * rule, for masks.
 *
 * <p>{@link #lower} writes the same resampling into an ONNX graph, operation for operation, so the
 * exported model's pixels equal eager inference's bit for bit. ONNX's {@code Resize} cannot: it
 * maps {@code dst} to {@code (dst + 0.5) / (out / in) - 0.5}, which rounds differently from
 * PyTorch's {@code (in / out) * (dst + 0.5) - 0.5}; the differences (up to 1e-4 of the pixel range
 * at 480x640 → 800x1066) were enough to reorder near-tied proposals and change detections.
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

  /**
   * {@link #resizeChw} as graph nodes: {@code x} is {@code N×C×H×W} float, {@code inHw} and
   * {@code outHw} are 1-D int64 {@code (height, width)}; returns {@code N×C×outH×outW}. Columns first,
   * then rows, each as {@code l0·a + l1·b} with the weights of {@link Axis}, in float32.
   */
  public static String lower(GraphOps g, String x, String inHw, String outHw) {
    String[] cols = lowerAxis(g, g.at(inHw, 1), g.at(outHw, 1));
    String[] rows = lowerAxis(g, g.at(inHw, 0), g.at(outHw, 0));
    String horizontal = blend(g, g.gather(x, cols[0], 3), g.gather(x, cols[1], 3), cols[2], cols[3]);
    // the row weights as a column, so they broadcast over the width
    String ly0 = g.unsqueeze(rows[2], 1);
    String ly1 = g.unsqueeze(rows[3], 1);
    return blend(g, g.gather(horizontal, rows[0], 2), g.gather(horizontal, rows[1], 2), ly0, ly1);
  }

  private static String blend(GraphOps g, String a, String b, String l0, String l1) {
    return g.add(g.mul(l0, a), g.mul(l1, b));
  }

  /** {i0, i1, l0, l1} of {@link Axis} for rank-0 int64 sizes {@code in} and {@code out}. */
  private static String[] lowerAxis(GraphOps g, String in, String out) {
    String scale = g.div(g.cast(in, GraphOps.FLOAT), g.cast(out, GraphOps.FLOAT));
    String d = g.cast(g.range(out), GraphOps.FLOAT);
    String s = g.max(g.sub(g.mul(scale, g.add(d, g.f(0.5f))), g.f(0.5f)), g.f(0f));
    String loF = g.op("Floor", s);
    String lo = g.cast(loF, GraphOps.INT64);
    String hi = g.min(g.add(lo, g.l(1)), g.sub(in, g.l(1)));
    String lambda = g.sub(s, loF);
    return new String[] {lo, hi, g.sub(g.f(1f), lambda), lambda};
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
