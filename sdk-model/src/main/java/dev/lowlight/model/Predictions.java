package dev.lowlight.model;

import dev.lowlight.heads.mask.MaskPaster;

/**
 * What the model found in one image, in that image's pixels.
 *
 * @param imageWidth width of the input image
 * @param imageHeight height of the input image
 * @param boxes {@code 4·N} values, xyxy in input pixels
 * @param labels {@code N} class indices in {@code 1..numClasses-1}
 * @param scores {@code N} scores, descending
 * @param masks {@code N·28·28} mask probabilities in box coordinates (the mask head's output)
 * @param maskSize side of each box-relative mask (28)
 */
public record Predictions(int imageWidth, int imageHeight, float[] boxes, long[] labels, float[] scores, float[] masks,
    int maskSize) {

  /** Number of detections. */
  public int size() {
    return labels.length;
  }

  /**
   * The full-image probability mask of detection {@code i}, {@code imageHeight × imageWidth}
   * row-major, pasted as torchvision's {@code paste_masks_in_image} does. Computed on demand: all
   * masks of a large image at once would take hundreds of megabytes.
   */
  public float[] pastedMask(int i) {
    float[] box = new float[4];
    System.arraycopy(boxes, 4 * i, box, 0, 4);
    float[] mask = new float[maskSize * maskSize];
    System.arraycopy(masks, i * maskSize * maskSize, mask, 0, mask.length);
    return MaskPaster.paste(mask, maskSize, box, imageHeight, imageWidth);
  }

  /** The binary full-image mask of detection {@code i} (probability above 0.5). */
  public boolean[] binaryMask(int i) {
    return MaskPaster.binarize(pastedMask(i), MaskPaster.THRESHOLD);
  }
}
