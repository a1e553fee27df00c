package dev.lowlight.heads.loss;

import ai.djl.ndarray.NDArray;

/**
 * The box branch's two loss terms, scalars in the graph of the predictor outputs (torchvision's
 * {@code loss_classifier} and {@code loss_box_reg}).
 *
 * @param classifier mean cross-entropy of the sampled RoIs' class logits
 * @param boxReg class-specific smooth-L1 of the foreground RoIs, divided by the number of RoIs
 */
public record FastRcnnLosses(NDArray classifier, NDArray boxReg) {

  /** {@code classifier + boxReg}, a new scalar in the classifier term's manager. */
  public NDArray total() {
    return classifier.add(boxReg);
  }
}
