package dev.lowlight.backbones;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lowlight.api.nn.Conv2d;
import dev.lowlight.api.nn.MaxPool2d;
import dev.lowlight.api.nn.TorchInit;
import dev.lowlight.api.onnx.OnnxScope;
import dev.lowlight.api.spi.Neck;
import dev.lowlight.api.structures.ShapeSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torchvision's {@code FeaturePyramidNetwork} with {@code LastLevelMaxPool} (Lin et al. 2017):
 * 1x1 lateral convolutions {@code inner_blocks.i}, top-down nearest-neighbour upsampling to each
 * lateral's size, 3x3 output convolutions {@code layer_blocks.i}, and an extra level {@code pool}
 * = max-pool (kernel 1, stride 2) of the coarsest output. Inputs: the backbone's maps in
 * increasing stride; outputs {@code 0, 1, 2, 3, pool} with strides 4..64 for a ResNet.
 *
 * <pre>{@code
 * FeaturePyramidNetwork fpn = FeaturePyramidNetwork.builder().setInputShape(resnet.outputShape()).build();
 * }</pre>
 */
public final class FeaturePyramidNetwork extends AbstractBlock implements Neck {

  private final List<Conv2d> inner = new ArrayList<>();
  private final List<Conv2d> layer = new ArrayList<>();
  private final MaxPool2d pool = MaxPool2d.builder().setKernel(1).optStride(2).build();
  private final ModuleList innerBlocks;
  private final ModuleList layerBlocks;
  private final int outChannels;
  private final Map<String, ShapeSpec> outputShape = new LinkedHashMap<>();

  FeaturePyramidNetwork(Builder b) {
    this.outChannels = b.outChannels;
    innerBlocks = addChildBlock("inner_blocks", new ModuleList());
    layerBlocks = addChildBlock("layer_blocks", new ModuleList());
    int i = 0;
    int lastStride = 1;
    for (ShapeSpec s : b.inputShape.values()) {
      // torchvision's FPN: kaiming_uniform_(a=1), bias 0.
      Conv2d lateral = Conv2d.builder().setInChannels(s.channels()).setOutChannels(outChannels).setKernel(1)
          .optWeightInit(TorchInit.kaimingUniform(s.channels(), 1)).optBiasInit(TorchInit.constant(0)).build();
      Conv2d output = Conv2d.builder().setInChannels(outChannels).setOutChannels(outChannels).setKernel(3).optPadding(1)
          .optWeightInit(TorchInit.kaimingUniform(9L * outChannels, 1)).optBiasInit(TorchInit.constant(0)).build();
      innerBlocks.add(lateral);
      layerBlocks.add(output);
      inner.add(lateral);
      layer.add(output);
      outputShape.put(Integer.toString(i++), new ShapeSpec(outChannels, s.stride()));
      lastStride = s.stride();
    }
    outputShape.put("pool", new ShapeSpec(outChannels, lastStride * 2));
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Map<String, ShapeSpec> outputShape() {
    return java.util.Collections.unmodifiableMap(outputShape);
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    int n = inner.size();
    if (inputs.size() != n) {
      throw new IllegalArgumentException("FPN built for " + n + " feature maps got " + inputs.size());
    }
    NDArray[] results = new NDArray[n];
    NDArray last = Layers.run(inner.get(n - 1), ps, inputs.get(n - 1), training);
    results[n - 1] = Layers.run(layer.get(n - 1), ps, last, training);
    for (int i = n - 2; i >= 0; i--) {
      NDArray lateral = Layers.run(inner.get(i), ps, inputs.get(i), training);
      last = lateral.add(nearest(last, lateral.getShape().get(2), lateral.getShape().get(3)));
      results[i] = Layers.run(layer.get(i), ps, last, training);
    }
    NDList out = new NDList(results);
    out.add(Layers.run(pool, ps, results[n - 1], training));
    return out;
  }

  /** PyTorch's {@code interpolate(mode="nearest", size=...)}: source index {@code floor(dst * (float) in / out)}. */
  static NDArray nearest(NDArray x, long outH, long outW) {
    Shape s = x.getShape();
    if (s.get(2) == outH && s.get(3) == outW) {
      return x;
    }
    NDManager m = x.getManager();
    // duplicate(): on CPU, DJL wraps Java memory without copying, and gather keeps its index for
    // the backward pass; the index must own its memory or backward may read freed memory.
    NDArray rows = m.create(sourceIndex(s.get(2), outH)).duplicate().reshape(1, 1, outH, 1).broadcast(s.get(0), s.get(1), outH, s.get(3));
    NDArray y = x.gather(rows.toDevice(x.getDevice(), false), 2);
    NDArray cols = m.create(sourceIndex(s.get(3), outW)).duplicate().reshape(1, 1, 1, outW).broadcast(s.get(0), s.get(1), outH, outW);
    return y.gather(cols.toDevice(x.getDevice(), false), 3);
  }

  static long[] sourceIndex(long in, long out) {
    long[] idx = new long[(int) out];
    float scale = (float) in / out;
    for (int i = 0; i < out; i++) {
      idx[i] = Math.min((long) Math.floor(i * scale), in - 1);
    }
    return idx;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape[] out = new Shape[inputShapes.length + 1];
    for (int i = 0; i < inputShapes.length; i++) {
      Shape s = inputShapes[i];
      out[i] = new Shape(s.get(0), outChannels, s.get(2), s.get(3));
    }
    out[inputShapes.length] = pool.getOutputShapes(new Shape[] {out[inputShapes.length - 1]})[0];
    return out;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    innerBlocks.initialize(manager, dataType, inputShapes);
    Shape[] laterals = new Shape[inner.size()];
    for (int i = 0; i < laterals.length; i++) {
      laterals[i] = inner.get(i).getOutputShapes(new Shape[] {inputShapes[i]})[0];
    }
    layerBlocks.initialize(manager, dataType, laterals);
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    int n = inner.size();
    OnnxScope innerScope = scope.child("inner_blocks");
    OnnxScope layerScope = scope.child("layer_blocks");
    String[] results = new String[n];
    String last = Layers.lower(inner.get(n - 1), innerScope, Integer.toString(n - 1), inputs.get(n - 1));
    results[n - 1] = Layers.lower(layer.get(n - 1), layerScope, Integer.toString(n - 1), last);
    for (int i = n - 2; i >= 0; i--) {
      String lateral = Layers.lower(inner.get(i), innerScope, Integer.toString(i), inputs.get(i));
      String lastShape = scope.node("Shape").input(last).output();
      String sizes = scope.node("Concat").input(
          scope.node("Slice").input(lastShape, scope.longs(0), scope.longs(2)).output(),
          scope.node("Slice").input(scope.node("Shape").input(lateral).output(), scope.longs(2), scope.longs(4)).output())
          .attr("axis", 0L).output();
      String up = scope.node("Resize").input(last, "", "", sizes).attr("mode", "nearest")
          .attr("coordinate_transformation_mode", "asymmetric").attr("nearest_mode", "floor").output();
      last = scope.node("Add").input(lateral, up).output();
      results[i] = Layers.lower(layer.get(i), layerScope, Integer.toString(i), last);
    }
    List<String> out = new ArrayList<>(List.of(results));
    out.add(pool.lower(scope, List.of(results[n - 1])).get(0));
    return out;
  }

  @Override
  public String toString() {
    return "FeaturePyramidNetwork(" + inner.size() + " levels + pool, " + outChannels + " channels)";
  }

  /** PyTorch's {@code nn.ModuleList}: children named 0, 1, ..., child i initialised with shape i; runs nothing. */
  static final class ModuleList extends AbstractBlock {
    private final List<ai.djl.nn.Block> blocks = new ArrayList<>();

    void add(ai.djl.nn.Block block) {
      blocks.add(addChildBlock(Integer.toString(blocks.size()), block));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
      throw new UnsupportedOperationException("the FPN runs its lateral and output convolutions itself");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      for (int i = 0; i < blocks.size(); i++) {
        blocks.get(i).initialize(manager, dataType, inputShapes[i]);
      }
    }
  }

  /** Builder: {@code setInputShape} is required. */
  public static final class Builder {
    private Map<String, ShapeSpec> inputShape;
    private int outChannels = 256;

    Builder() {}

    /** The backbone's declared outputs, in increasing stride. */
    public Builder setInputShape(Map<String, ShapeSpec> v) {
      inputShape = v == null ? null : new LinkedHashMap<>(v);
      return this;
    }

    /** Channels of every output level (default 256). */
    public Builder optOutChannels(int v) {
      outChannels = v;
      return this;
    }

    /** Builds the neck after {@link #validate()}. */
    public FeaturePyramidNetwork build() {
      validate();
      return new FeaturePyramidNetwork(this);
    }

    /** Checks every field and names the first bad one. */
    public void validate() {
      if (inputShape == null || inputShape.isEmpty()) {
        throw new IllegalArgumentException("inputShape must name at least one feature map");
      }
      if (outChannels < 1) {
        throw new IllegalArgumentException("outChannels must be >= 1, got " + outChannels);
      }
      int prev = 0;
      for (var e : inputShape.entrySet()) {
        if (e.getValue().stride() <= prev) {
          throw new IllegalArgumentException("inputShape strides must increase; '" + e.getKey() + "' has stride "
              + e.getValue().stride() + " after " + prev);
        }
        prev = e.getValue().stride();
      }
    }
  }
}
