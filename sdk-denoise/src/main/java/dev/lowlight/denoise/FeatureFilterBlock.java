package dev.lowlight.denoise;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lowlight.api.nn.BatchNorm2d;
import dev.lowlight.api.nn.Conv2d;
import dev.lowlight.api.onnx.OnnxScope;
import dev.lowlight.api.spi.DenoisingBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * A local filter in the residual form of Xie et al. 2019: {@code z = x + BN(W_z · filter(x))},
 * where {@code filter} is the mean or the median over a {@code k×k} window (odd {@code k}) with
 * edge-replicated borders, {@code W_z} a 1x1 convolution {@code C → C} without bias and {@code BN}
 * a batch norm whose scale and shift start at 0 (so the block starts as the identity). Parameter
 * names: {@code w_z.weight}, {@code bn.*}.
 *
 * <pre>{@code
 * FeatureFilterBlock median = FeatureFilterBlock.builder().setChannels(512).setKind(Kind.MEDIAN).build();
 * }</pre>
 */
public final class FeatureFilterBlock extends AbstractBlock implements DenoisingBlock {

  /** The local filter. */
  public enum Kind {
    /** Average over the window. */
    MEAN,
    /** Median over the window (the middle of {@code k²} values). */
    MEDIAN
  }

  private final int channels;
  private final Kind kind;
  private final int kernel;
  private final Conv2d wz;
  private final BatchNorm2d bn;

  FeatureFilterBlock(Builder b) {
    this.channels = b.channels;
    this.kind = b.kind;
    this.kernel = b.kernel;
    this.wz = addChildBlock("w_z", Conv2d.builder().setInChannels(channels).setOutChannels(channels).setKernel(1)
        .optBias(false).build());
    this.bn = addChildBlock("bn", BatchNorm2d.builder().setChannels(channels).optInitialWeight(0f).build());
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray filtered = filter(x);
    NDArray branch = bn.forward(ps, wz.forward(ps, new NDList(filtered), training), training).head();
    return new NDList(x.add(branch));
  }

  private NDArray filter(NDArray x) {
    int r = kernel / 2;
    NDArray padded = replicatePad(replicatePad(x, 3, r), 2, r);
    long h = x.getShape().get(2);
    long w = x.getShape().get(3);
    if (kind == Kind.MEAN) {
      return Pool.avgPool2d(padded, new Shape(kernel, kernel), new Shape(1, 1), new Shape(0, 0), false, true);
    }
    NDList windows = new NDList();
    for (int dy = 0; dy < kernel; dy++) {
      for (int dx = 0; dx < kernel; dx++) {
        windows.add(padded.get(new NDIndex(":, :, {}:{}, {}:{}", dy, dy + h, dx, dx + w)));
      }
    }
    return NDArrays.stack(windows, 4).sort(4).get(new NDIndex("..., {}", kernel * kernel / 2));
  }

  /** Replicates the first and last slice along {@code axis} {@code r} times on each side. */
  private static NDArray replicatePad(NDArray x, int axis, int r) {
    if (r == 0) {
      return x;
    }
    long size = x.getShape().get(axis);
    String first = axis == 3 ? ":, :, :, 0:1" : ":, :, 0:1, :";
    String last = axis == 3 ? ":, :, :, " + (size - 1) + ":" + size : ":, :, " + (size - 1) + ":" + size + ", :";
    return NDArrays.concat(new NDList(x.get(first).repeat(axis, r), x, x.get(last).repeat(axis, r)), axis);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    wz.initialize(manager, dataType, inputShapes[0]);
    bn.initialize(manager, dataType, inputShapes[0]);
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    String x = inputs.get(0);
    int r = kernel / 2;
    String padded = scope.node("Pad").input(x, scope.longs(0, 0, r, r, 0, 0, r, r)).attr("mode", "edge").output();
    String filtered;
    if (kind == Kind.MEAN) {
      filtered = scope.node("AveragePool").input(padded).attr("kernel_shape", kernel, kernel).attr("strides", 1, 1)
          .output();
    } else {
      String hw = scope.node("Slice").input(scope.node("Shape").input(x).output(), scope.longs(2), scope.longs(4))
          .output();
      List<String> windows = new ArrayList<>();
      for (int dy = 0; dy < kernel; dy++) {
        for (int dx = 0; dx < kernel; dx++) {
          String ends = scope.node("Add").input(hw, scope.longs(dy, dx)).output();
          String win = scope.node("Slice").input(padded, scope.longs(dy, dx), ends, scope.longs(2, 3)).output();
          windows.add(scope.node("Unsqueeze").input(win, scope.longs(4)).output());
        }
      }
      String stacked = scope.node("Concat").inputs(windows).attr("axis", 4L).output();
      int mid = kernel * kernel / 2;
      // The median of k² values is the largest of the mid + 1 smallest.
      String smallest = scope.node("TopK").input(stacked, scope.longs(mid + 1)).attr("axis", 4L).attr("largest", 0L)
          .outputs(2).get(0);
      filtered = scope.node("ReduceMax").input(smallest).attr("axes", new long[] {4}).attr("keepdims", 0L).output();
    }
    String proj = wz.lower(scope.child("w_z"), List.of(filtered)).get(0);
    String branch = bn.lower(scope.child("bn"), List.of(proj)).get(0);
    return List.of(scope.node("Add").input(x, branch).output());
  }

  @Override
  public String toString() {
    return "FeatureFilterBlock(" + channels + ", " + kind + ", k=" + kernel + ")";
  }

  /** Builder: {@code setChannels} and {@code setKind} are required. */
  public static final class Builder {
    private int channels = -1;
    private Kind kind;
    private int kernel = 3;

    Builder() {}

    /** Input and output channels, at least 1. */
    public Builder setChannels(int v) {
      channels = v;
      return this;
    }

    /** Mean or median. */
    public Builder setKind(Kind v) {
      kind = v;
      return this;
    }

    /** Odd window side in [1, 9] (default 3). */
    public Builder optKernel(int v) {
      kernel = v;
      return this;
    }

    /** Builds the block after {@link #validate()}. */
    public FeatureFilterBlock build() {
      validate();
      return new FeatureFilterBlock(this);
    }

    /** Checks every field and names the first bad one. */
    public void validate() {
      if (channels < 1) {
        throw new IllegalArgumentException("channels must be set to a value >= 1, got " + channels);
      }
      if (kind == null) {
        throw new IllegalArgumentException("kind must be set to MEAN or MEDIAN");
      }
      if (kernel < 1 || kernel > 9 || kernel % 2 == 0) {
        throw new IllegalArgumentException("kernel must be odd and in [1, 9], got " + kernel);
      }
    }
  }
}
