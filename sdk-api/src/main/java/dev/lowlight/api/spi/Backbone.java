package dev.lowlight.api.spi;

import ai.djl.nn.Block;
import dev.lowlight.api.onnx.OnnxLowerable;
import dev.lowlight.api.structures.ShapeSpec;
import java.util.Map;

/**
 * An image-to-features network. Input: one {@code N×3×H×W} float tensor, already normalised with
 * the model's mean and standard deviation, {@code H} and {@code W} multiples of the largest
 * stride. Output: one tensor per entry of {@link #outputShape()}, in that order, each {@code
 * N×channels×ceil(H/stride)×ceil(W/stride)}.
 *
 * <p>Parameter names follow torchvision's ({@code body.layer1.0.conv1.weight}); denoisers inserted
 * by the backbone get names of their own that leave the others unchanged.
 */
public interface Backbone extends Block, OnnxLowerable {

  /** Output feature names and shapes, in output order and increasing stride ({@code res2..res5}). */
  Map<String, ShapeSpec> outputShape();
}
