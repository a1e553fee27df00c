/**
 * RoIAlign with torchvision's semantics ({@code aligned=False}), written with differentiable DJL
 * operations ({@link dev.lowlight.heads.roi.RoiAlign}), a plain-Java reference, and the
 * multi-scale level assignment of FPN ({@link dev.lowlight.heads.roi.MultiScaleRoiAlign}).
 */
package dev.lowlight.heads.roi;
