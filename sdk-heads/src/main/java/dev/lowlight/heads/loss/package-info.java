/**
 * Mask R-CNN training losses with torchvision 0.14's semantics and normalisation, as DJL {@code
 * NDArray} computations so gradients reach the heads: {@link dev.lowlight.heads.loss.RpnLoss}
 * (objectness and anchor regression), {@link dev.lowlight.heads.loss.RoiTargets} (proposal
 * matching and sampling), {@link dev.lowlight.heads.loss.FastRcnnLoss} (classification and
 * class-specific box regression) and {@link dev.lowlight.heads.loss.MaskLoss}.
 *
 * <p>One training step, per batch:
 *
 * <pre>{@code
 * RpnLosses rpn = RpnLoss.defaults().compute(rpnHeadOutputs, anchorsPerImage, gtBoxes, Sampling.seeded(s));
 * List<SampledRois> rois = RoiTargets.defaults().sample(proposals, gtBoxes, gtLabels, Sampling.seeded(s + 1));
 * // pool SampledRois.proposals(rois) -> box head -> classLogits [R,K], boxRegression [R,4K]
 * FastRcnnLosses box = FastRcnnLoss.compute(classLogits, boxRegression, rois);
 * // pool SampledRois.positiveProposals(rois) -> mask head -> maskLogits [P,K,28,28]
 * NDArray mask = MaskLoss.compute(maskLogits, rois, gtMasks);
 * }</pre>
 */
package dev.lowlight.heads.loss;
