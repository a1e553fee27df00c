/**
 * Box operations shared by the heads, in plain Java on flat {@code float[]} boxes ({@code x1, y1,
 * x2, y2} per box, in pixels) and, where the model needs them on tensors, on DJL arrays: IoU,
 * clipping, small-box removal, the box coder, and NMS with torchvision's semantics.
 */
package dev.lowlight.heads.ops;
