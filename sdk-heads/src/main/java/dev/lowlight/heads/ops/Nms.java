package dev.lowlight.heads.ops;

import dev.lowlight.api.onnx.GraphOps;
import java.util.Arrays;

/**
 * Non-maximum suppression with torchvision's semantics, in plain Java (DJL's PyTorch engine has
 * none): boxes are visited by descending score and a box is dropped when its IoU with a kept box
 * is strictly above the threshold; the result lists kept indices by descending score.
 *
 * <pre>{@code
 * int[] keep = Nms.nms(boxes, scores, 0.5f);
 * int[] perClass = Nms.batchedNms(boxes, scores, labels, 0.5f);
 * }</pre>
 */
public final class Nms {

  private Nms() {}

  /**
   * Graph form: ONNX {@code NonMaxSuppression} of {@code boxes [B, N, 4]} with {@code scores [B, C,
   * N]}, keeping boxes whose IoU with a better one is not above {@code iou} and whose score is
   * above {@code scoreThreshold}; returns {@code [K, 3]} (batch, class, box). A batched NMS (per
   * class or per level) puts each group in its own batch entry or gives the other groups' boxes a
   * score below the threshold, rather than offsetting coordinates.
   */
  public static String lower(GraphOps g, String boxes, String scores, float iou, float scoreThreshold) {
    return g.op("NonMaxSuppression", boxes, scores, g.longs(Integer.MAX_VALUE),
        g.scope().constant(new float[] {iou}, 1), g.scope().constant(new float[] {scoreThreshold}, 1));
  }

  /** Indices of the boxes kept, by descending score, as {@code torchvision.ops.nms}. */
  public static int[] nms(float[] boxes, float[] scores, float iouThreshold) {
    int n = Boxes.count(boxes);
    if (scores.length != n) {
      throw new IllegalArgumentException("nms needs one score per box: " + n + " boxes, " + scores.length + " scores");
    }
    Integer[] order = byDescendingScore(scores);
    float[] areas = new float[n];
    for (int i = 0; i < n; i++) {
      areas[i] = Boxes.area(boxes, i);
    }
    boolean[] suppressed = new boolean[n];
    int[] keep = new int[n];
    int k = 0;
    for (int a = 0; a < n; a++) {
      int i = order[a];
      if (suppressed[i]) {
        continue;
      }
      keep[k++] = i;
      for (int b = a + 1; b < n; b++) {
        int j = order[b];
        if (!suppressed[j] && Boxes.iou(boxes, i, boxes, j, areas[i], areas[j]) > iouThreshold) {
          suppressed[j] = true;
        }
      }
    }
    return Arrays.copyOf(keep, k);
  }

  /**
   * NMS within each class, as {@code torchvision.ops.batched_nms}: boxes of different classes
   * never suppress each other. Follows torchvision's CPU dispatch so that thresholds fall the
   * same way for the same inputs: up to 1000 boxes, the coordinate-offset trick (each class's
   * boxes shifted by {@code class * (max coordinate + 1)} in float32, one NMS); above, one NMS per
   * class, merged by descending score.
   */
  public static int[] batchedNms(float[] boxes, float[] scores, int[] classes, float iouThreshold) {
    int n = Boxes.count(boxes);
    if (classes.length != n) {
      throw new IllegalArgumentException("batchedNms needs one class per box: " + n + " boxes, " + classes.length
          + " classes");
    }
    if (n == 0) {
      return new int[0];
    }
    if (n > VANILLA_ABOVE) {
      return perClass(boxes, scores, classes, iouThreshold);
    }
    float max = Float.NEGATIVE_INFINITY;
    for (float v : boxes) {
      max = Math.max(max, v);
    }
    float[] shifted = new float[boxes.length];
    for (int i = 0; i < n; i++) {
      float offset = classes[i] * (max + 1f);
      for (int c = 0; c < 4; c++) {
        shifted[4 * i + c] = boxes[4 * i + c] + offset;
      }
    }
    return nms(shifted, scores, iouThreshold);
  }

  /** torchvision switches to per-class NMS above 4000 box coordinates on CPU. */
  private static final int VANILLA_ABOVE = 1000;

  private static int[] perClass(float[] boxes, float[] scores, int[] classes, float iouThreshold) {
    java.util.Map<Integer, java.util.List<Integer>> groups = new java.util.TreeMap<>();
    for (int i = 0; i < classes.length; i++) {
      groups.computeIfAbsent(classes[i], c -> new java.util.ArrayList<>()).add(i);
    }
    java.util.List<Integer> kept = new java.util.ArrayList<>();
    for (java.util.List<Integer> g : groups.values()) {
      int[] idx = g.stream().mapToInt(Integer::intValue).toArray();
      for (int k : nms(Boxes.select(boxes, idx), Boxes.select1(scores, idx), iouThreshold)) {
        kept.add(idx[k]);
      }
    }
    kept.sort((x, y) -> Float.compare(scores[y], scores[x]));
    return kept.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Indices sorted by descending score; ties keep index order. */
  static Integer[] byDescendingScore(float[] scores) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Float.compare(scores[y], scores[x]));
    return order;
  }

  /** The first {@code k} indices of {@code scores} by descending score (all when fewer). */
  public static int[] topK(float[] scores, int k) {
    Integer[] order = byDescendingScore(scores);
    int[] out = new int[Math.min(k, order.length)];
    for (int i = 0; i < out.length; i++) {
      out[i] = order[i];
    }
    return out;
  }
}
