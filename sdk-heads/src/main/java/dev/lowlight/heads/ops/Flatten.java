package dev.lowlight.heads.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lowlight.api.onnx.OnnxLowerable;
import dev.lowlight.api.onnx.OnnxScope;
import java.util.List;

/**
 * {@code [N, d1, d2, ...]} to {@code [N, d1·d2·...]}, lowered to ONNX {@code Flatten(axis=1)};
 * works for {@code N = 0} (no regions in an image).
 */
public final class Flatten extends AbstractBlock implements OnnxLowerable {

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    return new NDList(x.reshape(getOutputShapes(new Shape[] {x.getShape()})[0]));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    long rest = 1;
    for (int d = 1; d < in.dimension(); d++) {
      rest *= in.get(d);
    }
    return new Shape[] {new Shape(in.get(0), rest)};
  }

  @Override
  public List<String> lower(OnnxScope scope, List<String> inputs) {
    return List.of(scope.node("Flatten").input(inputs.get(0)).attr("axis", 1L).output());
  }

  @Override
  public String toString() {
    return "Flatten";
  }
}
