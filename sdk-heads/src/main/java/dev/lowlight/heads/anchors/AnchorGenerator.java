package dev.lowlight.heads.anchors;

import dev.lowlight.api.onnx.GraphOps;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Anchors per feature level, as torchvision's {@code AnchorGenerator}: for each level, base
 * ("cell") anchors centred at the origin, one per (aspect ratio, size) pair with ratios outer,
 * rounded half-to-even as {@code torch.round}; then shifted to every feature cell by the level's
 * stride. Anchors of a level are ordered {@code (y, x, anchor)}, the order in which the RPN
 * head's outputs are flattened.
 *
 * <pre>{@code
 * AnchorGenerator gen = AnchorGenerator.defaults();   // sizes 32..512 over P2..P6, ratios 0.5/1/2
 * List<float[]> anchors = gen.anchors(800, 1088, new int[][] {{200, 272}, {100, 136}, ...});
 * }</pre>
 */
public final class AnchorGenerator {

  private final List<float[]> cellAnchors = new ArrayList<>();

  /**
   * @param sizes anchor sizes in pixels, one list per feature level
   * @param aspectRatios height / width ratios, shared by all levels
   */
  public AnchorGenerator(List<? extends List<? extends Number>> sizes, List<? extends Number> aspectRatios) {
    if (sizes.isEmpty() || aspectRatios.isEmpty()) {
      throw new IllegalArgumentException("anchor sizes and aspect ratios must not be empty, got " + sizes + " and "
          + aspectRatios);
    }
    for (List<? extends Number> levelSizes : sizes) {
      if (levelSizes.isEmpty()) {
        throw new IllegalArgumentException("every level needs at least one anchor size, got " + sizes);
      }
      float[] cell = new float[4 * levelSizes.size() * aspectRatios.size()];
      int k = 0;
      for (Number ratio : aspectRatios) {
        if (!(ratio.doubleValue() > 0)) {
          throw new IllegalArgumentException("aspect ratios must be > 0, got " + aspectRatios);
        }
        // float32 as torchvision: h_ratio = sqrt(r), w_ratio = 1 / h_ratio, anchors = round(±wh/2)
        float hRatio = (float) Math.sqrt(ratio.floatValue());
        float wRatio = 1f / hRatio;
        for (Number size : levelSizes) {
          float ws = wRatio * size.floatValue();
          float hs = hRatio * size.floatValue();
          cell[k++] = (float) Math.rint(-ws / 2f);
          cell[k++] = (float) Math.rint(-hs / 2f);
          cell[k++] = (float) Math.rint(ws / 2f);
          cell[k++] = (float) Math.rint(hs / 2f);
        }
      }
      cellAnchors.add(cell);
    }
  }

  /** torchvision's Mask R-CNN anchors: sizes 32, 64, 128, 256, 512 on P2..P6, ratios 0.5, 1, 2. */
  public static AnchorGenerator defaults() {
    return new AnchorGenerator(List.of(List.of(32), List.of(64), List.of(128), List.of(256), List.of(512)),
        List.of(0.5, 1.0, 2.0));
  }

  /** Number of feature levels. */
  public int levels() {
    return cellAnchors.size();
  }

  /** Anchors per feature cell at {@code level} (sizes × ratios). */
  public int anchorsPerLocation(int level) {
    return cell(level).length / 4;
  }

  /** The base anchors of {@code level}, flat {@code xyxy}, centred at the origin. */
  public float[] cellAnchors(int level) {
    return cell(level).clone();
  }

  private float[] cell(int level) {
    if (level < 0 || level >= cellAnchors.size()) {
      throw new IllegalArgumentException("level must be in [0, " + (cellAnchors.size() - 1) + "], got " + level);
    }
    return cellAnchors.get(level);
  }

  /**
   * Anchors of one level, flat {@code xyxy}, ordered {@code (y, x, anchor)}: the cell anchors
   * shifted by {@code (x * strideW, y * strideH)}.
   */
  public float[] anchors(int level, int featureH, int featureW, int strideH, int strideW) {
    float[] cell = cell(level);
    int a = cell.length / 4;
    float[] out = new float[featureH * featureW * a * 4];
    int k = 0;
    for (int y = 0; y < featureH; y++) {
      float sy = (float) y * strideH;
      for (int x = 0; x < featureW; x++) {
        float sx = (float) x * strideW;
        for (int j = 0; j < a; j++) {
          out[k++] = sx + cell[4 * j];
          out[k++] = sy + cell[4 * j + 1];
          out[k++] = sx + cell[4 * j + 2];
          out[k++] = sy + cell[4 * j + 3];
        }
      }
    }
    return out;
  }

  /**
   * Anchors of every level for a (padded) batch image of {@code imageH × imageW}, with strides
   * {@code image // feature} per side as torchvision computes them.
   *
   * @param featureSizes {@code {h, w}} per level
   */
  public List<float[]> anchors(int imageH, int imageW, int[][] featureSizes) {
    if (featureSizes.length != cellAnchors.size()) {
      throw new IllegalArgumentException("anchor generator has " + cellAnchors.size() + " levels but got "
          + featureSizes.length + " feature maps");
    }
    List<float[]> out = new ArrayList<>();
    for (int l = 0; l < featureSizes.length; l++) {
      int fh = featureSizes[l][0];
      int fw = featureSizes[l][1];
      if (fh < 1 || fw < 1) {
        throw new IllegalArgumentException("feature map " + l + " has an empty size " + fh + "x" + fw);
      }
      out.add(anchors(l, fh, fw, imageH / fh, imageW / fw));
    }
    return out;
  }

  /**
   * Graph form of {@link #anchors(int, int, int, int, int)} for level {@code level}: the anchors of
   * the feature map {@code feature} ({@code N×C×H×W}) on a padded image of {@code paddedHw} (1-D
   * int64), as {@code [H·W·A, 4]} ordered {@code (y, x, anchor)}, strides {@code padded // feature}.
   */
  public String lower(GraphOps g, int level, String feature, String paddedHw) {
    int a = anchorsPerLocation(level);
    String featureHw = g.slice(g.shape(feature), 2, 4, 0);
    String stride = g.div(paddedHw, featureHw);
    String ys = g.reshape(g.cast(g.mul(g.range(g.at(featureHw, 0)), g.at(stride, 0)), GraphOps.FLOAT), -1, 1, 1, 1);
    String xs = g.reshape(g.cast(g.mul(g.range(g.at(featureHw, 1)), g.at(stride, 1)), GraphOps.FLOAT), 1, -1, 1, 1);
    String shifts = g.add(g.mul(xs, g.scope().constant(new float[] {1, 0, 1, 0}, 1, 1, 1, 4)),
        g.mul(ys, g.scope().constant(new float[] {0, 1, 0, 1}, 1, 1, 1, 4)));
    String cell = g.scope().constant(cellAnchors(level), 1, 1, a, 4);
    return g.reshape(g.add(shifts, cell), -1, 4);
  }

  /** {@link #anchors(int, int, int[][])} concatenated over levels as one {@code [A, 4]} array. */
  public NDArray anchors(NDManager manager, int imageH, int imageW, int[][] featureSizes) {
    List<float[]> levels = anchors(imageH, imageW, featureSizes);
    int total = levels.stream().mapToInt(f -> f.length).sum();
    float[] all = new float[total];
    int k = 0;
    for (float[] f : levels) {
      System.arraycopy(f, 0, all, k, f.length);
      k += f.length;
    }
    return manager.create(all, new Shape(total / 4, 4));
  }
}
