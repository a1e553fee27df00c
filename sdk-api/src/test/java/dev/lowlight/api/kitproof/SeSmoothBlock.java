package dev.lowlight.api.kitproof;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import dev.lowlight.api.nn.Conv2d;
import dev.lowlight.api.nn.Layouts;
import dev.lowlight.api.onnx.OnnxScope;
import dev.lowlight.api.spi.DenoisingBlock;
import java.util.List;
import java.util.Map;

/**
 * A copy of the third-party denoiser the plugin-authors issue was found with: a depthwise
 * smoothing blended in by a squeeze-and-excitation gate and a per-channel gain that starts at 0,
 * {@code z = x + gain · sigmoid(expand(relu(reduce(mean_hw(x))))) · smooth(x)}, with its own
 * ONNX lowering. A {@link Mutation} breaks the lowering in one place, as a plugin author might.
 */
final class SeSmoothBlock extends AbstractBlock implements DenoisingBlock {

  /** One wrong step of the lowering; the forward stays right. */
  enum Mutation {
    NONE, DROP_RELU, DROP_SIGMOID, DROP_GAIN, FLIP_GAIN_SIGN, FLIP_SMOOTH_SIGN, SUBTRACT_RESIDUAL, FLIP_BEFORE_RELU
  }

  private final int channels;
  private final Conv2d smooth;
  private final Conv2d reduce;
  private final Conv2d expand;
  private final Parameter gain;
  private final Mutation mutation;

  SeSmoothBlock(int channels, int reduction, int kernel, Mutation mutation) {
    this.channels = channels;
    this.mutation = mutation;
    this.smooth = addChildBlock("smooth", Conv2d.builder().setInChannels(channels).setOutChannels(channels)
        .setKernel(kernel).optPadding(kernel / 2).optGroups(channels).build());
    this.reduce = addChildBlock("reduce", Conv2d.builder().setInChannels(channels)
        .setOutChannels(channels / reduction).setKernel(1).build());
    this.expand = addChildBlock("expand", Conv2d.builder().setInChannels(channels / reduction)
        .setOutChannels(channels).setKernel(1).build());
    this.gain = addParameter(Parameter.builder().setName("gain").setType(Parameter.Type.OTHER)
        .optShape(new Shape(channels)).optInitializer(new ConstantInitializer(0f)).build());
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray smoothed = smooth.forward(ps, new NDList(x), training).singletonOrThrow();
    // one axis at a time: the pitfall README names
    NDArray pooled = x.mean(new int[] {3}, true).mean(new int[] {2}, true);
    NDArray hidden = Activation.relu(reduce.forward(ps, new NDList(pooled), training).singletonOrThrow());
    NDArray gate = Activation.sigmoid(expand.forward(ps, new NDList(hidden), training).singletonOrThrow());
    NDArray g = ps.getValue(gain, x.getDevice(), training).reshape(1, channels, 1, 1);
    return new NDList(Layouts.dense(x.add(smoothed.mul(gate).mul(g))));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    smooth.initialize(manager, dataType, inputShapes);
    Shape pooled = new Shape(inputShapes[0].get(0), channels, 1, 1);
    reduce.initialize(manager, dataType, pooled);
    expand.initialize(manager, dataType, reduce.getOutputShapes(new Shape[] {pooled}));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  public Map<String, Double> inspect() {
    float[] g = gain.getArray().toFloatArray();
    double sum = 0;
    double maxAbs = 0;
    for (float v : g) {
      sum += v;
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    return Map.of("gain.mean", sum / g.length, "gain.max_abs", maxAbs);
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    String x = inputs.get(0);
    String smoothed = smooth.lower(scope.child("smooth"), List.of(x)).get(0);
    if (mutation == Mutation.FLIP_SMOOTH_SIGN) {
      smoothed = scope.node("Neg").input(smoothed).output();
    }
    String pooled = scope.node("GlobalAveragePool").input(x).output();
    String reduced = reduce.lower(scope.child("reduce"), List.of(pooled)).get(0);
    if (mutation == Mutation.FLIP_BEFORE_RELU) {
      reduced = scope.node("Neg").input(reduced).output();
    }
    String hidden = mutation == Mutation.DROP_RELU ? reduced : scope.node("Relu").input(reduced).output();
    String expanded = expand.lower(scope.child("expand"), List.of(hidden)).get(0);
    String gate = mutation == Mutation.DROP_SIGMOID ? expanded : scope.node("Sigmoid").input(expanded).output();
    String gated = scope.node("Mul").input(smoothed, gate).output();
    String g = scope.node("Reshape").input(scope.parameter("gain", gain.getArray()), scope.longs(1, channels, 1, 1))
        .output();
    if (mutation == Mutation.FLIP_GAIN_SIGN) {
      g = scope.node("Neg").input(g).output();
    }
    String scaled = mutation == Mutation.DROP_GAIN ? gated : scope.node("Mul").input(gated, g).output();
    return List.of(scope.node(mutation == Mutation.SUBTRACT_RESIDUAL ? "Sub" : "Add").input(x, scaled).output());
  }
}
