package dev.lowlight.backbones;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lowlight.api.onnx.OnnxLowerable;
import dev.lowlight.api.onnx.OnnxScope;
import java.util.ArrayList;
import java.util.List;

/**
 * Children run in order, each named as in PyTorch's {@code nn.Sequential} ({@code "0"}, {@code
 * "1"}, ...), so that {@code layer1.0.conv1.weight} and {@code downsample.0.weight} read as in
 * torchvision. Every child must lower itself to ONNX.
 */
public final class NamedSequential extends AbstractBlock implements OnnxLowerable {

  private final List<Block> blocks = new ArrayList<>();

  /** An empty sequence. */
  public NamedSequential() {}

  /** Appends {@code block} under the next index name. */
  public NamedSequential add(Block block) {
    blocks.add(addChildBlock(Integer.toString(blocks.size()), block));
    return this;
  }

  /** The children, in order. */
  public List<Block> blocks() {
    return List.copyOf(blocks);
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList x = inputs;
    for (Block b : blocks) {
      x = b.forward(ps, x, training, params);
    }
    return x;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape[] s = inputShapes;
    for (Block b : blocks) {
      s = b.getOutputShapes(s);
    }
    return s;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape[] s = inputShapes;
    for (Block b : blocks) {
      b.initialize(manager, dataType, s);
      s = b.getOutputShapes(s);
    }
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    List<String> x = inputs;
    for (int i = 0; i < blocks.size(); i++) {
      x = List.of(Layers.lower(blocks.get(i), scope, Integer.toString(i), x.get(0)));
    }
    return x;
  }
}
