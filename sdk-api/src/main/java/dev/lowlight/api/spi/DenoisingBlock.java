package dev.lowlight.api.spi;

import ai.djl.nn.Block;
import dev.lowlight.api.onnx.OnnxLowerable;
import java.util.Map;

/**
 * A feature-denoising block: one input {@code N×C×H×W} float tensor, one output of exactly the
 * same shape, for any {@code N}, {@code H} and {@code W} (including odd sizes such as 37x53).
 *
 * <p>The block knows nothing of where it sits: the backbone's configuration chooses the stages
 * after which an instance is inserted, and gives each instance its own parameters. Parameter
 * names are relative to the block ({@code theta.weight}, {@code w}); the backbone prefixes them.
 * Blocks that are inserted into a pretrained network should start as the identity (or close to
 * it), so that adding them does not change the pretrained detector.
 */
public interface DenoisingBlock extends Block, OnnxLowerable {

  /**
   * What the block reports about itself: its gates, blend weights or gains by name, read from its
   * parameters ({@code w → 0.12} for a weighted non-local block; {@code gain.mean}, {@code
   * gain.max_abs} for a per-channel gain). {@code lowlight inspect} prints them and the trainer logs
   * them at each validation, so a user sees how much a denoiser contributes. It must not change the
   * block and is called on initialised blocks only. By default a block reports nothing.
   *
   * <p>Added in SPI 1.1; a block built against SPI 1.0 reports nothing.
   */
  default Map<String, Double> inspect() {
    return Map.of();
  }
}
