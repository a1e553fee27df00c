/**
 * The mask branch: {@link dev.lowlight.heads.mask.MaskRcnnConvHead} (plugin {@code
 * mask-rcnn-conv}), {@link dev.lowlight.heads.mask.MaskPostProcessor} (mask of the predicted
 * class, sigmoid) and {@link dev.lowlight.heads.mask.MaskPaster} (torchvision's {@code
 * paste_masks_in_image} in plain Java, for runtimes without an engine).
 */
package dev.lowlight.heads.mask;
