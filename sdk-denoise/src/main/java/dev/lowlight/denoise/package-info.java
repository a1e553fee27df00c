/**
 * Feature-denoising blocks for the backbone: the non-local means family ({@link
 * dev.lowlight.denoise.NonLocalBlock}), the weighted non-local block of Lin et al. ({@link
 * dev.lowlight.denoise.WeightedNonLocalBlock}), mean and median filters ({@link
 * dev.lowlight.denoise.FeatureFilterBlock}), the affine-only control ({@link
 * dev.lowlight.denoise.AffineOnlyBlock}) and the identity, each with its {@code
 * DenoiserProvider}. Every block maps {@code N×C×H×W} to the same shape, starts as the identity,
 * and lowers itself to ONNX.
 */
package dev.lowlight.denoise;
