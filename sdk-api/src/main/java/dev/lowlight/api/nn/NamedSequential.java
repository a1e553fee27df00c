package dev.lowlight.api.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import dev.lowlight.api.onnx.OnnxLowerable;
import dev.lowlight.api.onnx.OnnxScope;
import java.util.List;

/**
 * Lowerable blocks applied in order, each under the child name torchvision gives it ({@code "0"},
 * {@code "fc6"}), so that parameter paths read like torchvision's {@code nn.Sequential} and
 * {@code state_dict} keys ({@code mask_head.0.0.weight}).
 *
 * <pre>{@code
 * NamedSequential convRelu = new NamedSequential().add("0", conv).add("1", new Relu());
 * }</pre>
 */
public final class NamedSequential extends AbstractBlock implements OnnxLowerable {

  /** Appends {@code block} under the next index ({@code "0"}, {@code "1"}, ...), as {@code nn.Sequential} names it. */
  public NamedSequential add(Block block) {
    return add(Integer.toString(children.size()), block);
  }

  /** Adds {@code block} under {@code name}; the block must also be {@link OnnxLowerable}. */
  public NamedSequential add(String name, Block block) {
    if (!(block instanceof OnnxLowerable)) {
      throw new IllegalArgumentException("child '" + name + "' (" + block + ") must implement OnnxLowerable");
    }
    addChildBlock(name, block);
    return this;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList x = inputs;
    for (Pair<String, Block> child : children) {
      x = child.getValue().forward(ps, x, training, params);
    }
    return x;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape[] shapes = inputShapes;
    for (Pair<String, Block> child : children) {
      child.getValue().initialize(manager, dataType, shapes);
      shapes = child.getValue().getOutputShapes(shapes);
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape[] shapes = inputShapes;
    for (Pair<String, Block> child : children) {
      shapes = child.getValue().getOutputShapes(shapes);
    }
    return shapes;
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    List<String> x = inputs;
    int i = 0;
    for (Pair<String, Block> child : children) {
      i++;
      x = ((OnnxLowerable) child.getValue()).lower(scope.child(TorchNames.childName(child.getKey(), i)), x);
    }
    return x;
  }
}
