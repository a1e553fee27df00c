package dev.lowlight.heads.roi;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * torchvision's {@code roi_align} with {@code aligned=False}: each RoI {@code (batch, x1, y1, x2,
 * y2)} in image pixels is scaled by {@code spatialScale}, widened to at least 1×1, split into
 * {@code outH × outW} bins, and each bin averages bilinear samples on a {@code g×g} grid ({@code
 * g = samplingRatio}, or {@code ceil(roi side / bins)} when {@code samplingRatio <= 0}). A sample
 * beyond one pixel outside the map counts as 0; others are clamped to the map.
 *
 * <p>DJL's PyTorch engine has no RoIAlign, so {@link #apply} builds, in Java, the (pixel index,
 * weight) pairs of every bin — bilinear weights are separable in y and x, so a bin's weights are
 * the outer product of per-row and per-column weights — and evaluates them as one row gather of
 * the {@code NHWC} features, a multiply and a sum. Those are differentiable engine operations, so
 * gradients flow to the features (not to the boxes, as in torchvision). RoIs are processed in
 * chunks to bound the gathered tensor.
 *
 * <pre>{@code
 * RoiAlign align = new RoiAlign(7, 7, 0.25f, 2);
 * NDArray pooled = align.apply(p2, rois);   // rois: float[5R]
 * }</pre>
 *
 * @param outH bins per column
 * @param outW bins per row
 * @param spatialScale feature pixels per image pixel (1/stride)
 * @param samplingRatio samples per bin side, or {@code <= 0} for adaptive
 */
public record RoiAlign(int outH, int outW, float spatialScale, int samplingRatio) {

  /** Upper bound on gathered values per chunk (floats), about 64 MB. */
  private static final long CHUNK_FLOATS = 16L << 20;

  public RoiAlign {
    if (outH < 1 || outW < 1) {
      throw new IllegalArgumentException("RoIAlign output size must be >= 1, got " + outH + "x" + outW);
    }
    if (!(spatialScale > 0)) {
      throw new IllegalArgumentException("spatialScale must be > 0, got " + spatialScale);
    }
  }

  /**
   * Pools {@code features [N,C,H,W]} over {@code rois} (5 floats per RoI: batch index, x1, y1,
   * x2, y2 in image pixels), giving {@code [R,C,outH,outW]} attached to the features' manager.
   */
  public NDArray apply(NDArray features, float[] rois) {
    Shape s = features.getShape();
    if (s.dimension() != 4) {
      throw new IllegalArgumentException("RoIAlign expects N×C×H×W features, got " + s);
    }
    if (rois.length % 5 != 0) {
      throw new IllegalArgumentException("rois hold 5 values (batch, x1, y1, x2, y2) each, got length " + rois.length);
    }
    int n = (int) s.get(0);
    int c = (int) s.get(1);
    int h = (int) s.get(2);
    int w = (int) s.get(3);
    int r = rois.length / 5;
    NDManager parent = features.getManager();
    if (r == 0) {
      return parent.zeros(new Shape(0, c, outH, outW), features.getDataType(), features.getDevice());
    }
    Plan[] plans = new Plan[r];
    for (int i = 0; i < r; i++) {
      int b = (int) rois[5 * i];
      if (b < 0 || b >= n || b != rois[5 * i]) {
        throw new IllegalArgumentException("roi " + i + " has batch index " + rois[5 * i] + ", features have " + n
            + " images");
      }
      plans[i] = plan(rois, i, h, w);
    }
    try (NDManager sub = parent.newSubManager()) {
      sub.tempAttachAll(features);
      NDArray table = features.transpose(0, 2, 3, 1).reshape((long) n * h * w, c);
      NDList parts = new NDList();
      int start = 0;
      while (start < r) {
        int end = start;
        int width = 0;
        while (end < r) {
          int wNext = Math.max(width, plans[end].width());
          if (end > start && (long) (end + 1 - start) * outH * outW * wNext * c > CHUNK_FLOATS) {
            break;
          }
          width = wNext;
          end++;
        }
        parts.add(pool(sub, table, plans, start, end, width, n, h, w, c, features));
        start = end;
      }
      NDArray out = parts.size() == 1 ? parts.get(0) : ai.djl.ndarray.NDArrays.concat(parts, 0);
      out.attach(parent);
      return out;
    }
  }

  private NDArray pool(NDManager sub, NDArray table, Plan[] plans, int start, int end, int width, int n, int h,
      int w, int c, NDArray features) {
    int bins = outH * outW;
    int count = end - start;
    long[] index = new long[count * bins * width];
    float[] weight = new float[index.length];
    for (int i = 0; i < count; i++) {
      Plan p = plans[start + i];
      long base = (long) p.batch * h * w;
      for (int ph = 0; ph < outH; ph++) {
        for (int pw = 0; pw < outW; pw++) {
          int o = ((i * outH + ph) * outW + pw) * width;
          int k = 0;
          for (int a = 0; a < p.rowCount[ph]; a++) {
            for (int b = 0; b < p.colCount[pw]; b++) {
              index[o + k] = base + (long) p.rows[ph][a] * w + p.cols[pw][b];
              weight[o + k] = p.rowWeights[ph][a] * p.colWeights[pw][b] / p.count;
              k++;
            }
          }
        }
      }
    }
    // duplicate(): engine-owned copies, which autograd may keep after this scope closes (see LossOps.owned)
    NDArray idx = sub.create(index).duplicate().toDevice(features.getDevice(), false).reshape(index.length, 1)
        .broadcast(index.length, c);
    NDArray wt = sub.create(weight, new Shape(index.length, 1)).duplicate().toType(features.getDataType(), false)
        .toDevice(features.getDevice(), false);
    // gather, not indexing: the backward of indexing is index_put with accumulation, which PyTorch
    // runs on the CPU with parallel atomic adds (a different rounding on every run); the backward
    // of gather is scatter_add, which is deterministic, so training is repeatable bit for bit
    NDArray gathered = table.gather(idx, 0).mul(wt);
    return gathered.reshape(count, outH, outW, width, c).sum(new int[] {3}).transpose(0, 3, 1, 2);
  }

  /** Rows and columns a RoI's bins read, with summed separable weights. */
  private static final class Plan {
    int batch;
    float count;
    int[][] rows;
    float[][] rowWeights;
    int[] rowCount;
    int[][] cols;
    float[][] colWeights;
    int[] colCount;

    int width() {
      int mr = Arrays.stream(rowCount).max().orElse(0);
      int mc = Arrays.stream(colCount).max().orElse(0);
      return Math.max(1, mr * mc);
    }
  }

  private Plan plan(float[] rois, int i, int h, int w) {
    Plan p = new Plan();
    p.batch = (int) rois[5 * i];
    float startW = rois[5 * i + 1] * spatialScale;
    float startH = rois[5 * i + 2] * spatialScale;
    float endW = rois[5 * i + 3] * spatialScale;
    float endH = rois[5 * i + 4] * spatialScale;
    float roiW = Math.max(endW - startW, 1f);
    float roiH = Math.max(endH - startH, 1f);
    float binH = roiH / outH;
    float binW = roiW / outW;
    int gridH = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(roiH / outH);
    int gridW = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(roiW / outW);
    p.count = Math.max(gridH * gridW, 1);
    p.rows = new int[outH][];
    p.rowWeights = new float[outH][];
    p.rowCount = new int[outH];
    for (int ph = 0; ph < outH; ph++) {
      Axis a = axis(startH, ph, binH, gridH, h);
      p.rows[ph] = a.index;
      p.rowWeights[ph] = a.weight;
      p.rowCount[ph] = a.size;
    }
    p.cols = new int[outW][];
    p.colWeights = new float[outW][];
    p.colCount = new int[outW];
    for (int pw = 0; pw < outW; pw++) {
      Axis a = axis(startW, pw, binW, gridW, w);
      p.cols[pw] = a.index;
      p.colWeights[pw] = a.weight;
      p.colCount[pw] = a.size;
    }
    return p;
  }

  private record Axis(int[] index, float[] weight, int size) {}

  /** Pixel indices along one axis read by one bin, with the summed interpolation weights. */
  private static Axis axis(float start, int bin, float binSize, int grid, int size) {
    int[] index = new int[2 * Math.max(grid, 1)];
    float[] weight = new float[index.length];
    int k = 0;
    for (int g = 0; g < grid; g++) {
      float v = start + bin * binSize + (g + 0.5f) * binSize / grid;
      if (v < -1f || v > size) {
        continue;
      }
      if (v <= 0) {
        v = 0;
      }
      int low = (int) v;
      int high;
      if (low >= size - 1) {
        high = low = size - 1;
        v = low;
      } else {
        high = low + 1;
      }
      float l = v - low;
      k = addWeight(index, weight, k, low, 1f - l);
      k = addWeight(index, weight, k, high, l);
    }
    return new Axis(index, weight, k);
  }

  private static int addWeight(int[] index, float[] weight, int k, int at, float value) {
    for (int i = 0; i < k; i++) {
      if (index[i] == at) {
        weight[i] += value;
        return k;
      }
    }
    index[k] = at;
    weight[k] = value;
    return k + 1;
  }

  /**
   * Plain-Java RoIAlign, a line-by-line transcription of torchvision's CPU kernel; the reference
   * the tests check {@link #apply} against, and usable without an engine.
   *
   * @param features {@code [n, c, h, w]} row-major
   * @return {@code [R, c, outH, outW]} row-major
   */
  public float[] reference(float[] features, int n, int c, int h, int w, float[] rois) {
    int r = rois.length / 5;
    float[] out = new float[r * c * outH * outW];
    for (int i = 0; i < r; i++) {
      int b = (int) rois[5 * i];
      float startW = rois[5 * i + 1] * spatialScale;
      float startH = rois[5 * i + 2] * spatialScale;
      float roiW = Math.max(rois[5 * i + 3] * spatialScale - startW, 1f);
      float roiH = Math.max(rois[5 * i + 4] * spatialScale - startH, 1f);
      float binH = roiH / outH;
      float binW = roiW / outW;
      int gridH = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(roiH / outH);
      int gridW = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(roiW / outW);
      float count = Math.max(gridH * gridW, 1);
      for (int ch = 0; ch < c; ch++) {
        int plane = (b * c + ch) * h * w;
        for (int ph = 0; ph < outH; ph++) {
          for (int pw = 0; pw < outW; pw++) {
            float sum = 0;
            for (int iy = 0; iy < gridH; iy++) {
              float y = startH + ph * binH + (iy + 0.5f) * binH / gridH;
              for (int ix = 0; ix < gridW; ix++) {
                float x = startW + pw * binW + (ix + 0.5f) * binW / gridW;
                sum += bilinear(features, plane, h, w, y, x);
              }
            }
            out[((i * c + ch) * outH + ph) * outW + pw] = sum / count;
          }
        }
      }
    }
    return out;
  }

  private static float bilinear(float[] f, int plane, int h, int w, float y, float x) {
    if (y < -1f || y > h || x < -1f || x > w) {
      return 0f;
    }
    if (y <= 0) {
      y = 0;
    }
    if (x <= 0) {
      x = 0;
    }
    int y0 = (int) y;
    int x0 = (int) x;
    int y1;
    int x1;
    if (y0 >= h - 1) {
      y1 = y0 = h - 1;
      y = y0;
    } else {
      y1 = y0 + 1;
    }
    if (x0 >= w - 1) {
      x1 = x0 = w - 1;
      x = x0;
    } else {
      x1 = x0 + 1;
    }
    float ly = y - y0;
    float lx = x - x0;
    float hy = 1f - ly;
    float hx = 1f - lx;
    return hy * hx * f[plane + y0 * w + x0] + hy * lx * f[plane + y0 * w + x1] + ly * hx * f[plane + y1 * w + x0]
        + ly * lx * f[plane + y1 * w + x1];
  }

  /** Converts per-image boxes into the 5-float RoI layout, batch index first. */
  public static float[] toRois(java.util.List<float[]> boxesPerImage) {
    int total = 0;
    for (float[] b : boxesPerImage) {
      total += b.length / 4;
    }
    float[] rois = new float[5 * total];
    int k = 0;
    for (int img = 0; img < boxesPerImage.size(); img++) {
      float[] b = boxesPerImage.get(img);
      for (int i = 0; i < b.length / 4; i++) {
        rois[k++] = img;
        System.arraycopy(b, 4 * i, rois, k, 4);
        k += 4;
      }
    }
    return rois;
  }
}
