package dev.lowlight.api.spi;

import ai.djl.nn.Block;
import dev.lowlight.api.onnx.OnnxLowerable;
import dev.lowlight.api.structures.ShapeSpec;
import java.util.Map;

/**
 * Multi-scale features to multi-scale features, such as a feature pyramid network. Input: the
 * backbone's maps in the order of its {@code outputShape()}; output: one map per entry of {@link
 * #outputShape()}, in that order.
 */
public interface Neck extends Block, OnnxLowerable {

  /** Output feature names and shapes, in output order ({@code 0, 1, 2, 3, pool} for FPN). */
  Map<String, ShapeSpec> outputShape();
}
