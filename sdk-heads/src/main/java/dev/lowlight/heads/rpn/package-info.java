/**
 * The region proposal network: the convolutional {@link dev.lowlight.heads.rpn.RpnHead} (plugin
 * {@code rpn}) and {@link dev.lowlight.heads.rpn.ProposalSelector}, torchvision's proposal
 * filtering.
 */
package dev.lowlight.heads.rpn;
