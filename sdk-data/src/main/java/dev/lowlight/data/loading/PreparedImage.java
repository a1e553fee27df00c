package dev.lowlight.data.loading;

/**
 * One image ready to be collated: its unpadded normalised planes and its targets.
 *
 * @param chw {@code 3 × target.height() × target.width()} normalised planes
 * @param target the boxes, labels and masks at the resized size
 */
record PreparedImage(float[] chw, TrainingTarget target) {}
