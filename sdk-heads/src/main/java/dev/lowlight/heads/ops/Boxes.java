package dev.lowlight.heads.ops;

import dev.lowlight.api.onnx.GraphOps;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.Arrays;

/**
 * Box arithmetic on flat arrays of {@code xyxy} boxes (box {@code i} is {@code b[4i..4i+3]}), in
 * float32 as torchvision computes it, so that thresholds fall the same way.
 */
public final class Boxes {

  private Boxes() {}

  /** Graph form: coordinate {@code i} of {@code [..., 4]} boxes, keeping the last axis. */
  public static String lowerCoord(GraphOps g, String boxes, int i) {
    return g.slice(boxes, i, i + 1, -1);
  }

  /**
   * Graph form of {@link #clipInPlace}: {@code [..., 4]} boxes clipped to {@code [0, limits]}, with
   * {@code limits} the float {@code (w, h, w, h)} of the image.
   */
  public static String lowerClip(GraphOps g, String boxes, String limits) {
    return g.min(g.max(boxes, g.f(0f)), limits);
  }

  /** Graph form of {@link #keepLarge}: whether both sides of each box are at least {@code minSize}. */
  public static String lowerIsLarge(GraphOps g, String boxes, float minSize) {
    String min = g.f(minSize);
    String w = g.sub(lowerCoord(g, boxes, 2), lowerCoord(g, boxes, 0));
    String h = g.sub(lowerCoord(g, boxes, 3), lowerCoord(g, boxes, 1));
    String both = g.op("And", g.op("GreaterOrEqual", w, min), g.op("GreaterOrEqual", h, min));
    return g.op("Squeeze", both, g.longs(-1));
  }

  /** Number of boxes in a flat {@code xyxy} array; rejects lengths that are not a multiple of 4. */
  public static int count(float[] boxes) {
    if (boxes.length % 4 != 0) {
      throw new IllegalArgumentException("a box array holds 4 values (x1, y1, x2, y2) per box, got length "
          + boxes.length);
    }
    return boxes.length / 4;
  }

  /** {@code (x2 - x1) * (y2 - y1)} of box {@code i}. */
  public static float area(float[] b, int i) {
    return (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]);
  }

  /** IoU matrix {@code [n×m]} row-major, as torchvision's {@code box_iou}. */
  public static float[] iou(float[] a, float[] b) {
    int n = count(a);
    int m = count(b);
    float[] out = new float[n * m];
    for (int i = 0; i < n; i++) {
      float areaA = area(a, i);
      for (int j = 0; j < m; j++) {
        out[i * m + j] = iou(a, i, b, j, areaA, area(b, j));
      }
    }
    return out;
  }

  static float iou(float[] a, int i, float[] b, int j, float areaA, float areaB) {
    float w = Math.max(0f, Math.min(a[4 * i + 2], b[4 * j + 2]) - Math.max(a[4 * i], b[4 * j]));
    float h = Math.max(0f, Math.min(a[4 * i + 3], b[4 * j + 3]) - Math.max(a[4 * i + 1], b[4 * j + 1]));
    float inter = w * h;
    return inter / (areaA + areaB - inter);
  }

  /** IoU matrix of two {@code [N,4]} and {@code [M,4]} arrays as an {@code [N,M]} array. */
  public static NDArray iou(NDArray a, NDArray b) {
    NDArray areaA = a.get(":, 2").sub(a.get(":, 0")).mul(a.get(":, 3").sub(a.get(":, 1")));
    NDArray areaB = b.get(":, 2").sub(b.get(":, 0")).mul(b.get(":, 3").sub(b.get(":, 1")));
    NDArray lt = NDArrays.maximum(a.get(":, :2").expandDims(1), b.get(":, :2").expandDims(0));
    NDArray rb = NDArrays.minimum(a.get(":, 2:").expandDims(1), b.get(":, 2:").expandDims(0));
    NDArray wh = rb.sub(lt).clip(0, Float.MAX_VALUE);
    NDArray inter = wh.get(":, :, 0").mul(wh.get(":, :, 1"));
    return inter.div(areaA.expandDims(1).add(areaB.expandDims(0)).sub(inter));
  }

  /** Clips every box in place to {@code [0, width] × [0, height]}, as {@code clip_boxes_to_image}. */
  public static float[] clipInPlace(float[] boxes, int height, int width) {
    count(boxes);
    for (int i = 0; i < boxes.length; i += 4) {
      boxes[i] = Math.min(Math.max(boxes[i], 0f), width);
      boxes[i + 1] = Math.min(Math.max(boxes[i + 1], 0f), height);
      boxes[i + 2] = Math.min(Math.max(boxes[i + 2], 0f), width);
      boxes[i + 3] = Math.min(Math.max(boxes[i + 3], 0f), height);
    }
    return boxes;
  }

  /** Clips {@code [N,4]} boxes to the image, returning a new array. */
  public static NDArray clip(NDArray boxes, int height, int width) {
    return NDArrays.stack(new NDList(boxes.get(":, 0").clip(0, width), boxes.get(":, 1").clip(0, height),
        boxes.get(":, 2").clip(0, width), boxes.get(":, 3").clip(0, height)), 1);
  }

  /**
   * Indices of boxes whose width and height are both at least {@code minSize}, in order, as
   * torchvision's {@code remove_small_boxes}.
   */
  public static int[] keepLarge(float[] boxes, float minSize) {
    int n = count(boxes);
    int[] keep = new int[n];
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (boxes[4 * i + 2] - boxes[4 * i] >= minSize && boxes[4 * i + 3] - boxes[4 * i + 1] >= minSize) {
        keep[k++] = i;
      }
    }
    return Arrays.copyOf(keep, k);
  }

  /** The boxes at {@code indices}, in that order. */
  public static float[] select(float[] boxes, int[] indices) {
    float[] out = new float[indices.length * 4];
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(boxes, 4 * indices[i], out, 4 * i, 4);
    }
    return out;
  }

  /** The values at {@code indices}, in that order. */
  public static float[] select1(float[] values, int[] indices) {
    float[] out = new float[indices.length];
    for (int i = 0; i < indices.length; i++) {
      out[i] = values[indices[i]];
    }
    return out;
  }

  /** The values at {@code indices}, in that order. */
  public static int[] select1(int[] values, int[] indices) {
    int[] out = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      out[i] = values[indices[i]];
    }
    return out;
  }
}
