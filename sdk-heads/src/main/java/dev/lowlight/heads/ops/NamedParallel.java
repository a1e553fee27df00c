package dev.lowlight.heads.ops;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import dev.lowlight.api.nn.TorchNames;
import dev.lowlight.api.onnx.OnnxLowerable;
import dev.lowlight.api.onnx.OnnxScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lowerable blocks that all read the same inputs, under torchvision's child names; the outputs
 * are the children's outputs in order (a predictor with {@code cls_score} and {@code bbox_pred}).
 */
public final class NamedParallel extends AbstractBlock implements OnnxLowerable {

  /** Adds {@code block} under {@code name}; the block must also be {@link OnnxLowerable}. */
  public NamedParallel add(String name, Block block) {
    if (!(block instanceof OnnxLowerable)) {
      throw new IllegalArgumentException("child '" + name + "' (" + block + ") must implement OnnxLowerable");
    }
    addChildBlock(name, block);
    return this;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList out = new NDList();
    for (Pair<String, Block> child : children) {
      out.addAll(child.getValue().forward(ps, inputs, training, params));
    }
    return out;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    for (Pair<String, Block> child : children) {
      child.getValue().initialize(manager, dataType, inputShapes);
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    List<Shape> out = new ArrayList<>();
    for (Pair<String, Block> child : children) {
      out.addAll(Arrays.asList(child.getValue().getOutputShapes(inputShapes)));
    }
    return out.toArray(new Shape[0]);
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    List<String> out = new ArrayList<>();
    int i = 0;
    for (Pair<String, Block> child : children) {
      i++;
      out.addAll(((OnnxLowerable) child.getValue()).lower(scope.child(TorchNames.childName(child.getKey(), i)),
          inputs));
    }
    return out;
  }
}
