package dev.lowlight.bench.train;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.lowlight.api.nn.Conv2d;
import dev.lowlight.api.nn.ConvTranspose2d;
import dev.lowlight.api.nn.Linear;
import java.util.ArrayList;
import java.util.List;

/**
 * Analytic multiply-add counts of the convolutions and linear layers of a block tree, from the
 * input shapes each block was last initialised with ({@link Block#getInputShapes()}) and its
 * weight's shape: a convolution producing {@code N×Cout×Hout×Wout} from {@code Cin/groups} input
 * channels and a {@code k×k} kernel costs {@code 2·N·Cout·(Cin/groups)·k²·Hout·Wout} FLOPs forward;
 * its backward costs as much again for the weight's gradient (when the weight trains) and for the
 * input's (when something before it trains).
 */
public final class ConvFlops {

  /**
   * One layer.
   *
   * @param block the layer
   * @param input its input shape
   * @param forwardFlops forward FLOPs at that shape
   * @param weightGrad whether its weight receives a gradient
   * @param inputGrad whether a gradient flows into its input
   */
  public record Layer(Block block, Shape input, double forwardFlops, boolean weightGrad, boolean inputGrad) {

    /** Forward plus backward FLOPs: the backward repeats the forward once per gradient computed. */
    public double trainingFlops() {
      return forwardFlops * (1 + (weightGrad ? 1 : 0) + (inputGrad ? 1 : 0));
    }
  }

  private ConvFlops() {}

  /**
   * The convolutions, transposed convolutions and linear layers under {@code root} in
   * registration order (the forward order of a ResNet), at the shapes they were initialised with.
   *
   * @param gradientAbove whether the input of {@code root} carries a gradient already
   */
  public static List<Layer> layers(Block root, boolean gradientAbove) {
    List<Layer> out = new ArrayList<>();
    walk(root, out, new boolean[] {gradientAbove});
    return out;
  }

  /** The sum of {@link Layer#trainingFlops()}. */
  public static double trainingFlops(List<Layer> layers) {
    return layers.stream().mapToDouble(Layer::trainingFlops).sum();
  }

  /** The sum of {@link Layer#forwardFlops()}. */
  public static double forwardFlops(List<Layer> layers) {
    return layers.stream().mapToDouble(Layer::forwardFlops).sum();
  }

  /** Forward FLOPs of a convolution with {@code weight} {@code [Cout, Cin/g, k, k]} producing {@code out}. */
  public static double convFlops(Shape weight, Shape out) {
    return 2.0 * out.get(0) * weight.get(0) * weight.get(1) * weight.get(2) * weight.get(3) * out.get(2) * out.get(3);
  }

  private static void walk(Block block, List<Layer> out, boolean[] gradient) {
    if (block instanceof Conv2d || block instanceof ConvTranspose2d || block instanceof Linear) {
      Parameter w = block.getParameters().get("weight");
      boolean trains = w != null && w.requiresGradient();
      Shape in = block.getInputShapes()[0];
      Shape ws = w.getArray().getShape();
      double flops;
      if (block instanceof Linear) {
        long rows = in.size() / in.get(in.dimension() - 1);
        flops = 2.0 * rows * ws.get(0) * ws.get(1);
      } else if (block instanceof Conv2d) {
        flops = convFlops(ws, block.getOutputShapes(new Shape[] {in})[0]);
      } else {
        // a transposed convolution scatters every input pixel through the whole kernel: weight [Cin, Cout, k, k]
        flops = 2.0 * in.get(0) * ws.get(0) * ws.get(1) * ws.get(2) * ws.get(3) * in.get(2) * in.get(3);
      }
      out.add(new Layer(block, in, flops, trains, gradient[0]));
      gradient[0] |= trains;
      return;
    }
    for (Parameter p : block.getDirectParameters().values()) {
      gradient[0] |= p.requiresGradient();
    }
    for (Block child : block.getChildren().values()) {
      walk(child, out, gradient);
    }
  }
}
