package dev.lowlight.backbones;

import dev.lowlight.api.nn.NamedSequential;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lowlight.api.onnx.OnnxLowerable;
import dev.lowlight.api.onnx.OnnxScope;
import java.util.ArrayList;
import java.util.List;

/**
 * One ResNet residual unit with torchvision's child names: {@code BasicBlock} (two 3x3
 * convolutions, {@code conv1 bn1 conv2 bn2}) or {@code Bottleneck} (1x1, 3x3, 1x1 with expansion
 * 4, {@code conv1 .. bn3}, stride on the 3x3 convolution as in torchvision's "ResNet v1.5"), and
 * a {@code downsample} ({@code 0}: 1x1 convolution with the stride, {@code 1}: norm) where the
 * shape changes.
 */
public final class ResidualBlock extends AbstractBlock implements OnnxLowerable {

  private final List<Block> convs = new ArrayList<>();
  private final List<Block> norms = new ArrayList<>();
  private final NamedSequential downsample;
  private final int outChannels;

  /**
   * @param bottleneck bottleneck (ResNet-50/101) or basic (ResNet-18/34) unit
   * @param in input channels
   * @param width channels of the inner convolutions ({@code 64 * 2^stage})
   * @param stride 1 or 2
   * @param frozenNorm frozen or trainable batch norm
   */
  ResidualBlock(boolean bottleneck, int in, int width, int stride, boolean frozenNorm) {
    this.outChannels = bottleneck ? width * 4 : width;
    int[][] spec = bottleneck
        ? new int[][] {{in, width, 1, 1, 0}, {width, width, 3, stride, 1}, {width, outChannels, 1, 1, 0}}
        : new int[][] {{in, width, 3, stride, 1}, {width, width, 3, 1, 1}};
    for (int i = 0; i < spec.length; i++) {
      int[] c = spec[i];
      convs.add(addChildBlock("conv" + (i + 1), Layers.conv(c[0], c[1], c[2], c[3], c[4], false)));
      norms.add(addChildBlock("bn" + (i + 1), Layers.norm(frozenNorm, c[1])));
    }
    this.downsample = stride != 1 || in != outChannels
        ? addChildBlock("downsample", new NamedSequential().add(Layers.conv(in, outChannels, 1, stride, 0, false))
            .add(Layers.norm(frozenNorm, outChannels)))
        : null;
  }

  int outChannels() {
    return outChannels;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray y = x;
    for (int i = 0; i < convs.size(); i++) {
      y = Layers.run(norms.get(i), ps, Layers.run(convs.get(i), ps, y, training), training);
      if (i < convs.size() - 1) {
        y = Activation.relu(y);
      }
    }
    NDArray identity = downsample == null ? x : Layers.run(downsample, ps, x, training);
    return new NDList(Activation.relu(y.add(identity)));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    for (Block c : convs) {
      s = c.getOutputShapes(new Shape[] {s})[0];
    }
    return new Shape[] {s};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape s = inputShapes[0];
    for (int i = 0; i < convs.size(); i++) {
      convs.get(i).initialize(manager, dataType, s);
      s = convs.get(i).getOutputShapes(new Shape[] {s})[0];
      norms.get(i).initialize(manager, dataType, s);
    }
    if (downsample != null) {
      downsample.initialize(manager, dataType, inputShapes);
    }
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    String x = inputs.get(0);
    String y = x;
    for (int i = 0; i < convs.size(); i++) {
      y = Layers.lower(convs.get(i), scope, "conv" + (i + 1), y);
      y = Layers.lower(norms.get(i), scope, "bn" + (i + 1), y);
      if (i < convs.size() - 1) {
        y = Layers.relu(scope, y);
      }
    }
    String identity = downsample == null ? x : Layers.lower(downsample, scope, "downsample", x);
    return List.of(Layers.relu(scope, scope.node("Add").input(y, identity).output()));
  }
}
