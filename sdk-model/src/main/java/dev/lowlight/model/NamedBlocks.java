package dev.lowlight.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A container that only names its children, so that the model's parameter tree reads like
 * torchvision's ({@code backbone.fpn.*}, {@code rpn.head.*}, {@code roi_heads.box_head.*}). A child
 * added under the empty name is transparent. The meta-architecture calls the children itself.
 */
final class NamedBlocks extends AbstractBlock {

  NamedBlocks add(String name, Block block) {
    addChildBlock(name, block);
    return this;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    throw new UnsupportedOperationException("a naming container does not run; MaskRcnn calls its children");
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    throw new UnsupportedOperationException("a naming container has no output shape");
  }
}
