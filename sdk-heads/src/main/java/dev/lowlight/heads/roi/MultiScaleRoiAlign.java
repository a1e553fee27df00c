package dev.lowlight.heads.roi;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.lowlight.api.onnx.GraphOps;
import dev.lowlight.heads.ops.Boxes;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's {@code MultiScaleRoIAlign}: every box is pooled from one FPN level chosen by
 * its size, {@code k = floor(4 + log2(sqrt(area) / 224) + 1e-6)} clamped to the levels present
 * (canonical scale 224 at canonical level 4), with that level's {@link RoiAlign}.
 *
 * <pre>{@code
 * MultiScaleRoiAlign pool = MultiScaleRoiAlign.fromStrides(7, 2, 4, 8, 16, 32);  // P2..P5
 * NDArray pooled = pool.apply(new NDList(p2, p3, p4, p5), List.of(boxesOfImage0, boxesOfImage1));
 * }</pre>
 */
public final class MultiScaleRoiAlign {

  /** torchvision's canonical box side. */
  public static final float CANONICAL_SCALE = 224f;
  /** torchvision's canonical level. */
  public static final int CANONICAL_LEVEL = 4;
  /** torchvision's epsilon added before {@code floor}. */
  public static final float EPS = 1e-6f;

  private final int outputSize;
  private final int samplingRatio;
  private final float[] scales;
  private final int kMin;
  private final int kMax;

  /**
   * @param outputSize side of the pooled output
   * @param samplingRatio samples per bin side ({@code <= 0}: adaptive)
   * @param scales feature pixels per image pixel for each level, finest first (powers of 2)
   */
  public MultiScaleRoiAlign(int outputSize, int samplingRatio, float... scales) {
    if (scales.length == 0) {
      throw new IllegalArgumentException("MultiScaleRoiAlign needs at least one level");
    }
    this.outputSize = outputSize;
    this.samplingRatio = samplingRatio;
    this.scales = scales.clone();
    // as torchvision: levels from the first and last scale, -log2(scale)
    this.kMin = (int) Math.round(-Math.log(scales[0]) / Math.log(2));
    this.kMax = (int) Math.round(-Math.log(scales[scales.length - 1]) / Math.log(2));
    if (kMax - kMin + 1 != scales.length) {
      throw new IllegalArgumentException("scales must halve from level to level, got " + java.util.Arrays.toString(
          scales));
    }
  }

  /** Levels of the given strides (4, 8, 16, 32 for P2..P5). */
  public static MultiScaleRoiAlign fromStrides(int outputSize, int samplingRatio, int... strides) {
    float[] scales = new float[strides.length];
    for (int i = 0; i < strides.length; i++) {
      scales[i] = 1f / strides[i];
    }
    return new MultiScaleRoiAlign(outputSize, samplingRatio, scales);
  }

  /**
   * torchvision's {@code infer_scale}: {@code 2^round(log2(feature / image))}, for when the
   * scales come from the actual feature and image sizes.
   */
  public static float inferScale(int featureSize, int imageSize) {
    return (float) Math.pow(2, Math.rint(Math.log((double) featureSize / imageSize) / Math.log(2)));
  }

  /** The scales, finest first. */
  public float[] scales() {
    return scales.clone();
  }

  /** Level index (0 = finest) of each box of a flat {@code xyxy} array. */
  public int[] levels(float[] boxes) {
    int n = boxes.length / 4;
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      float area = (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1]);
      float s = (float) Math.sqrt(area);
      float log2 = (float) (Math.log(s / CANONICAL_SCALE) / Math.log(2));
      int k = (int) Math.floor(CANONICAL_LEVEL + log2 + EPS);
      out[i] = Math.min(Math.max(k, kMin), kMax) - kMin;
    }
    return out;
  }

  /**
   * Graph form of {@link #apply} for one image: each box of {@code boxes} ({@code [R, 4]}, xyxy in
   * image pixels) pooled from the level {@link #levels} picks, with ONNX {@code RoiAlign} per level
   * on the boxes gathered for it, rows scattered back to box order; {@code [R, C, S, S]}.
   */
  public String lower(GraphOps g, List<String> features, String boxes) {
    if (features.size() != scales.length) {
      throw new IllegalArgumentException("MultiScaleRoiAlign has " + scales.length + " levels, got "
          + features.size() + " feature maps");
    }
    if (scales.length == 1) {
      return lowerLevel(g, features.get(0), boxes, scales[0]);
    }
    String area = g.mul(g.sub(Boxes.lowerCoord(g, boxes, 2), Boxes.lowerCoord(g, boxes, 0)),
        g.sub(Boxes.lowerCoord(g, boxes, 3), Boxes.lowerCoord(g, boxes, 1)));
    String log2 = g.div(g.op("Log", g.div(g.op("Sqrt", g.flat(area)), g.f(CANONICAL_SCALE))),
        g.f((float) Math.log(2)));
    String k = g.op("Floor", g.add(g.add(g.f(CANONICAL_LEVEL), log2), g.f(EPS)));
    String level = g.cast(g.sub(g.op("Clip", k, g.f(kMin), g.f(kMax)), g.f(kMin)), GraphOps.INT64);
    String[] pooled = new String[scales.length];
    String[] members = new String[scales.length];
    for (int l = 0; l < scales.length; l++) {
      members[l] = g.where(g.op("Equal", level, g.l(l)));
      pooled[l] = lowerLevel(g, features.get(l), g.gather(boxes, members[l], 0), scales[l]);
    }
    String stacked = g.concat(0, pooled);
    // row i of the stack belongs to box order[i]; every box appears once, so every row is written
    String order = g.unsqueeze(g.concat(0, members), 1);
    return g.op("ScatterND", stacked, order, stacked);
  }

  private String lowerLevel(GraphOps g, String feature, String boxes, float scale) {
    String batchIndices = g.fillLong(g.slice(g.shape(boxes), 0, 1, 0), 0);
    // output_half_pixel is torchvision's aligned=False: no half-pixel shift, boxes at least 1x1
    return g.scope().node("RoiAlign").input(feature, boxes, batchIndices).attr("mode", "avg")
        .attr("output_height", (long) outputSize).attr("output_width", (long) outputSize)
        .attr("sampling_ratio", (long) samplingRatio).attr("spatial_scale", scale)
        .attr("coordinate_transformation_mode", "output_half_pixel").output();
  }

  /**
   * {@link #apply}, on the CPU through {@link RoiAlignKernel}: the levels' host copies ({@code
   * host}, shared by the passes of one forward) pooled in Java; in training, the result is a leaf
   * with a {@link dev.lowlight.api.nn.DeferredGradient} that the caller runs after the first
   * backward pass. On a GPU, or with adaptive sampling on a level the kernel does
   * not cover, the engine path ({@link #apply}) with autograd's own backward.
   *
   * @param host the feature maps ({@code [N,C,H,W]} per level, finest first) with their host copies
   * @param boxesPerImage flat {@code xyxy} boxes of image {@code 0..N-1}
   * @param training whether the levels' gradient is wanted (DJL does not say whether an array
   *     takes part in the autograd graph: its {@code hasGradient} is false for results of operations)
   */
  public PooledFeatures pool(HostLevels host, List<float[]> boxesPerImage, boolean training) {
    NDList features = host.levels();
    if (!host.onCpu()) {
      return new PooledFeatures(apply(features, boxesPerImage), null);
    }
    if (features.size() != scales.length) {
      throw new IllegalArgumentException("MultiScaleRoiAlign has " + scales.length + " levels, got "
          + features.size() + " feature maps");
    }
    float[] rois = RoiAlign.toRois(boxesPerImage);
    int r = rois.length / 5;
    NDArray first = features.get(0);
    int c = (int) first.getShape().get(1);
    int bins = outputSize * outputSize;
    float[] out = new float[r * c * bins];
    int[] level = scales.length == 1 ? new int[r] : levels(boxesOf(rois));
    List<LevelTaps> parts = new ArrayList<>();
    for (int l = 0; l < scales.length; l++) {
      int[] members = membersOf(level, l);
      if (members.length == 0) {
        continue;
      }
      float[] sel = new float[5 * members.length];
      for (int j = 0; j < members.length; j++) {
        System.arraycopy(rois, 5 * members[j], sel, 5 * j, 5);
      }
      Shape sh = host.shape(l);
      RoiAlignKernel.Taps taps = RoiAlignKernel.taps(sel, outputSize, outputSize, scales[l], samplingRatio,
          (int) sh.get(0), (int) sh.get(2), (int) sh.get(3));
      float[] pooled = RoiAlignKernel.forward(taps, host.table(l), c);
      for (int j = 0; j < members.length; j++) {
        // the [bin, channel] rows of box members[j], in box order
        System.arraycopy(pooled, j * bins * c, out, members[j] * bins * c, bins * c);
      }
      parts.add(new LevelTaps(l, members, taps));
    }
    NDManager manager = first.getManager();
    // duplicate(): an engine-owned copy, which autograd may keep after this call (see LossOps).
    // [R, C, S, S] with channels-last strides, as the kernel writes it, and not a dense copy: the
    // mask head's first 3x3 convolution over a narrow dense input hits oneDNN's random NaN input
    // gradient (Layouts.channelsLast has the measurements). 1x1 convolutions densify their input
    // themselves (Layouts.dense), so the other oneDNN fault cannot be reached through this view.
    NDArray values = manager.create(out, new Shape(r, outputSize, outputSize, c)).duplicate().transpose(0, 3, 1, 2);
    if (!training || parts.isEmpty()) {
      return new PooledFeatures(values, null);
    }
    values.setRequiresGradient(true);
    return new PooledFeatures(values, new HostGradient(values, host, parts, c, bins));
  }

  private static float[] boxesOf(float[] rois) {
    int r = rois.length / 5;
    float[] boxes = new float[4 * r];
    for (int i = 0; i < r; i++) {
      System.arraycopy(rois, 5 * i + 1, boxes, 4 * i, 4);
    }
    return boxes;
  }

  private static int[] membersOf(int[] level, int l) {
    int count = 0;
    for (int v : level) {
      count += v == l ? 1 : 0;
    }
    int[] members = new int[count];
    int k = 0;
    for (int i = 0; i < level.length; i++) {
      if (level[i] == l) {
        members[k++] = i;
      }
    }
    return members;
  }

  /** The boxes one level pooled, and their taps. */
  private record LevelTaps(int level, int[] members, RoiAlignKernel.Taps taps) {}

  /** The gradient of the host-pooled features with respect to the levels, through the kernel's backward. */
  private static final class HostGradient implements dev.lowlight.api.nn.DeferredGradient {
    private final NDArray leaf;
    private final HostLevels host;
    private final List<LevelTaps> parts;
    private final int channels;
    private final int bins;

    HostGradient(NDArray leaf, HostLevels host, List<LevelTaps> parts, int channels, int bins) {
      this.leaf = leaf;
      this.host = host;
      this.parts = parts;
      this.channels = channels;
      this.bins = bins;
    }

    @Override
    public NDArray leaf() {
      return leaf;
    }

    @Override
    public NDList sources() {
      NDList out = new NDList();
      parts.forEach(p -> out.add(host.levels().get(p.level())));
      return out;
    }

    @Override
    public NDList sourceGradients(NDArray leafGradient) {
      // [R, S, S, C] rows, the kernel's own layout (the leaf is a channels-last view of it)
      float[] g = leafGradient.transpose(0, 2, 3, 1).toFloatArray();
      NDManager manager = leafGradient.getManager();
      NDList out = new NDList();
      for (LevelTaps p : parts) {
        int[] members = p.members();
        float[] upstream = new float[members.length * bins * channels];
        for (int j = 0; j < members.length; j++) {
          System.arraycopy(g, members[j] * bins * channels, upstream, j * bins * channels, bins * channels);
        }
        Shape sh = host.shape(p.level());
        int pixels = (int) (sh.get(0) * sh.get(2) * sh.get(3));
        float[] grad = RoiAlignKernel.backward(p.taps(), upstream, channels, pixels);
        NDArray nhwc = manager.create(grad, new Shape(sh.get(0), sh.get(2), sh.get(3), channels)).duplicate();
        out.add(dev.lowlight.api.nn.Layouts.dense(nhwc.transpose(0, 3, 1, 2)));
      }
      return out;
    }
  }

  /**
   * Pools every image's boxes from its level: {@code features} holds one {@code [N,C,H,W]} array
   * per level (finest first), {@code boxesPerImage} the flat {@code xyxy} boxes of image {@code
   * 0..N-1}. Returns {@code [R,C,S,S]} in the order of the boxes (image 0's first), attached to
   * the first level's manager; differentiable with respect to the features.
   */
  public NDArray apply(NDList features, List<float[]> boxesPerImage) {
    if (features.size() != scales.length) {
      throw new IllegalArgumentException("MultiScaleRoiAlign has " + scales.length + " levels, got "
          + features.size() + " feature maps");
    }
    float[] rois = RoiAlign.toRois(boxesPerImage);
    int r = rois.length / 5;
    float[] boxes = new float[4 * r];
    for (int i = 0; i < r; i++) {
      System.arraycopy(rois, 5 * i + 1, boxes, 4 * i, 4);
    }
    int[] level = levels(boxes);
    NDManager parent = features.get(0).getManager();
    if (scales.length == 1) {
      return new RoiAlign(outputSize, outputSize, scales[0], samplingRatio).apply(features.get(0), rois);
    }
    try (NDManager sub = parent.newSubManager()) {
      NDList parts = new NDList();
      long[] order = new long[r];
      int k = 0;
      for (int l = 0; l < scales.length; l++) {
        List<Integer> members = new ArrayList<>();
        for (int i = 0; i < r; i++) {
          if (level[i] == l) {
            members.add(i);
          }
        }
        if (members.isEmpty()) {
          continue;
        }
        float[] sel = new float[5 * members.size()];
        for (int j = 0; j < members.size(); j++) {
          System.arraycopy(rois, 5 * members.get(j), sel, 5 * j, 5);
          order[members.get(j)] = k++;
        }
        NDArray pooled = new RoiAlign(outputSize, outputSize, scales[l], samplingRatio).apply(features.get(l), sel);
        pooled.attach(sub);
        parts.add(pooled);
      }
      NDArray out;
      if (parts.isEmpty()) {
        NDArray f = features.get(0);
        out = parent.zeros(new ai.djl.ndarray.types.Shape(0, f.getShape().get(1), outputSize, outputSize),
            f.getDataType(), f.getDevice());
        return out;
      }
      NDArray stacked = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
      // back to box order: row i of the result is row order[i] of the level-sorted stack
      out = stacked.get(new NDIndex("{}", sub.create(order).duplicate().toDevice(stacked.getDevice(), false)));
      out.attach(parent);
      return out;
    }
  }
}
