package dev.lowlight.heads.loss;

import ai.djl.ndarray.NDArray;

/**
 * The RPN's two loss terms, scalars in the graph of the head outputs (torchvision's {@code
 * loss_objectness} and {@code loss_rpn_box_reg}).
 *
 * @param objectness binary cross-entropy of the sampled anchors' objectness logits
 * @param boxReg smooth-L1 of the positive anchors' deltas, divided by the number sampled
 */
public record RpnLosses(NDArray objectness, NDArray boxReg) {

  /** {@code objectness + boxReg}, a new scalar in the objectness term's manager. */
  public NDArray total() {
    return objectness.add(boxReg);
  }
}
