package com.example.lowlight.blur;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import dev.lowlight.api.nn.Conv2d;
import dev.lowlight.api.onnx.OnnxScope;
import dev.lowlight.api.spi.DenoisingBlock;
import java.util.List;

/** {@code z = x + gamma * proj(blur(x))}: a 5x5 depthwise Gaussian blur, a 1x1 conv, a scalar gate. */
final class BlurBlock extends AbstractBlock implements DenoisingBlock {

  private static final int KERNEL = 5;

  private final int channels;
  private final float[] kernel;
  private final Conv2d proj;
  private final Parameter gamma;

  BlurBlock(int channels, double sigma) {
    this.channels = channels;
    this.kernel = gaussian(sigma);
    this.proj = addChildBlock("proj", Conv2d.builder().setInChannels(channels).setOutChannels(channels).setKernel(1).build());
    this.gamma = addParameter(Parameter.builder().setName("gamma").setType(Parameter.Type.OTHER)
        .optShape(new Shape(1)).optInitializer(new ConstantInitializer(0f)).build());
  }

  /** The normalised separable-product 5x5 Gaussian, repeated per channel: {@code C×1×5×5}. */
  private float[] gaussian(double sigma) {
    double[] g = new double[KERNEL];
    double sum = 0;
    for (int i = 0; i < KERNEL; i++) {
      double d = i - KERNEL / 2;
      g[i] = Math.exp(-d * d / (2 * sigma * sigma));
      sum += g[i];
    }
    float[] k = new float[channels * KERNEL * KERNEL];
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < KERNEL; y++) {
        for (int x = 0; x < KERNEL; x++) {
          k[(c * KERNEL + y) * KERNEL + x] = (float) (g[y] * g[x] / (sum * sum));
        }
      }
    }
    return k;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray w = x.getManager().create(kernel, new Shape(channels, 1, KERNEL, KERNEL));
    NDArray blurred = ai.djl.nn.convolutional.Conv2d.conv2d(x, w, null, new Shape(1, 1), new Shape(2, 2),
        new Shape(1, 1), channels).singletonOrThrow();
    NDArray mixed = proj.forward(ps, new NDList(blurred), training).singletonOrThrow();
    NDArray g = ps.getValue(gamma, x.getDevice(), training);
    return new NDList(x.add(mixed.mul(g)));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    proj.initialize(manager, dataType, inputShapes);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  /** The gate: how much of the blurred branch is mixed in (shown by lowlight inspect). */
  @Override
  public java.util.Map<String, Double> inspect() {
    return java.util.Map.of("gamma", (double) gamma.getArray().toFloatArray()[0]);
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    String x = inputs.get(0);
    String blurred = scope.node("Conv").input(x, scope.constant(kernel, channels, 1, KERNEL, KERNEL))
        .attr("kernel_shape", KERNEL, KERNEL).attr("pads", 2, 2, 2, 2).attr("group", (long) channels).output();
    String mixed = proj.lower(scope.child("proj"), List.of(blurred)).get(0);
    String gated = scope.node("Mul").input(mixed, scope.parameter("gamma", gamma.getArray())).output();
    return List.of(scope.node("Add").input(x, gated).output());
  }
}
