/**
 * ResNet-18/34/50/101 bodies ({@link dev.lowlight.backbones.ResNet}) and the feature pyramid
 * network ({@link dev.lowlight.backbones.FeaturePyramidNetwork}) with torchvision's layout and
 * parameter names, the insertion points of denoisers, and their providers ({@code resnet18} ..
 * {@code resnet101}, {@code fpn}).
 *
 * <p>Parameter names. A {@link dev.lowlight.backbones.ResNet} names its torchvision parameters
 * {@code body.conv1.weight}, {@code body.layer1.0.conv1.weight}, ... and its inserted denoisers
 * {@code denoise.res3.theta.weight}, ...; the FPN names its parameters {@code
 * inner_blocks.0.weight}, {@code layer_blocks.0.bias}, ... (the spelling of torchvision's
 * published checkpoints, before the 0.13 {@code Conv2dNormActivation} wrapper added a {@code .0}).
 * The model prefixes {@code backbone.} to the backbone and {@code backbone.fpn.} to the FPN, which
 * gives torchvision's {@code backbone.body.*} and {@code backbone.fpn.*} keys unchanged, with the
 * denoisers as the only new parameters ({@code backbone.denoise.res3.*}).
 */
package dev.lowlight.backbones;
