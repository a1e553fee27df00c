package dev.lowlight.api.spi;

import ai.djl.nn.Block;
import dev.lowlight.api.onnx.OnnxLowerable;

/**
 * The learnable tensor part of a head (RPN conv head, box head with predictor, mask head with
 * predictor): a pure function of its input tensors, lowerable to ONNX. Target assignment,
 * sampling, decoding and NMS live around it in the meta-architecture.
 *
 * <p>Tensor contracts by kind: an {@link PluginKind#RPN_HEAD} maps each feature level {@code
 * N×C×H×W} to objectness {@code N×A×H×W} and deltas {@code N×4A×H×W} (outputs interleaved per
 * level); a {@link PluginKind#BOX_HEAD} maps pooled features {@code R×C×7×7} to class logits
 * {@code R×K} and box deltas {@code R×4K}; a {@link PluginKind#MASK_HEAD} maps {@code R×C×14×14}
 * to mask logits {@code R×K×28×28}.
 */
public interface HeadBlock extends Block, OnnxLowerable {}
