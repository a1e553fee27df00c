package dev.lowlight.backbones;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.lowlight.api.nn.BatchNorm2d;
import dev.lowlight.api.nn.Conv2d;
import dev.lowlight.api.nn.FrozenBatchNorm2d;
import dev.lowlight.api.onnx.OnnxLowerable;
import dev.lowlight.api.onnx.OnnxScope;
import java.util.List;

/** Small helpers shared by the blocks of this package. */
final class Layers {

  private Layers() {}

  static NDArray run(Block block, ParameterStore ps, NDArray x, boolean training) {
    return block.forward(ps, new NDList(x), training).singletonOrThrow();
  }

  /** Lowers a one-input, one-output block into the child scope {@code name}. */
  static String lower(Block block, OnnxScope scope, String name, String input) {
    if (!(block instanceof OnnxLowerable l)) {
      throw new IllegalStateException(block + " at " + scope.prefix() + "." + name + " cannot lower itself to ONNX");
    }
    return l.lower(scope.child(name), List.of(input)).get(0);
  }

  static String relu(OnnxScope scope, String x) {
    return scope.node("Relu").input(x).output();
  }

  /**
   * A ResNet convolution with PyTorch's default initialisation. Not torchvision's ResNet He
   * initialisation: that assumes batch norms that normalise, and the default frozen batch norm
   * starts as the identity, so He-initialised activations grow through every block until the
   * losses overflow when training from scratch.
   */
  static Conv2d conv(int in, int out, int kernel, int stride, int padding, boolean bias) {
    return convBuilder(in, out, kernel, stride, padding, bias).build();
  }

  /** {@link #conv}'s builder, for a convolution that needs one more option. */
  static Conv2d.Builder convBuilder(int in, int out, int kernel, int stride, int padding, boolean bias) {
    return Conv2d.builder().setInChannels(in).setOutChannels(out).setKernel(kernel).optStride(stride)
        .optPadding(padding).optBias(bias);
  }

  static Block norm(boolean frozen, int channels) {
    return frozen ? FrozenBatchNorm2d.builder().setChannels(channels).build()
        : BatchNorm2d.builder().setChannels(channels).build();
  }
}
