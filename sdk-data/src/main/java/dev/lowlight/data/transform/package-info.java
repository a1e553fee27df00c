/**
 * The image transform in front of Mask R-CNN, in plain Java so that data loading, eager inference
 * and the ONNX runtime share one definition: torchvision's min/max-size resize rule, bilinear
 * resampling with PyTorch's {@code align_corners=False} arithmetic, normalisation and padding.
 */
package dev.lowlight.data.transform;
