package dev.lowlight.denoise;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lowlight.api.onnx.OnnxScope;
import dev.lowlight.api.spi.DenoisingBlock;
import java.util.List;

/** The identity: no parameters, output equals input. The baseline of every denoising ablation. */
public final class IdentityBlock extends AbstractBlock implements DenoisingBlock {

  /** A new identity block. */
  public IdentityBlock() {}

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(inputs.singletonOrThrow());
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    return List.of(scope.node("Identity").input(inputs.get(0)).output());
  }

  @Override
  public String toString() {
    return "IdentityBlock()";
  }
}
