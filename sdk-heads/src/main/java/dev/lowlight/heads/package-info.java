/**
 * Mask R-CNN heads as plugins, and the tensor and box operations around them, with torchvision's
 * semantics: {@link dev.lowlight.heads.anchors anchors}, the {@link dev.lowlight.heads.rpn region
 * proposal network}, {@link dev.lowlight.heads.roi RoIAlign}, the {@link dev.lowlight.heads.box box}
 * and {@link dev.lowlight.heads.mask mask} branches, and shared {@link dev.lowlight.heads.ops box
 * operations and NMS}.
 */
package dev.lowlight.heads;
