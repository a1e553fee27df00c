package dev.lowlight.api.spi;

import ai.djl.nn.Block;
import dev.lowlight.api.onnx.OnnxLowerable;

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
public interface DenoisingBlock extends Block, OnnxLowerable {}
