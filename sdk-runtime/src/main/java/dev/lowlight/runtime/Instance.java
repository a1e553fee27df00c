package dev.lowlight.runtime;

import dev.lowlight.data.coco.MaskApi;
import dev.lowlight.data.coco.Rle;
import dev.lowlight.heads.mask.MaskPaster;

/**
 * One detected instance: box, label, score and the model's {@code side×side} mask probabilities
 * in box coordinates. The full-image mask is pasted (torchvision's {@code paste_masks_in_image},
 * threshold 0.5) only when first asked for, because most callers want either boxes only or one
 * mask format; the pasted mask and its RLE are then kept. Instances are immutable and safe to
 * share between threads.
 *
 * <pre>{@code
 * for (Instance in : detections.instances()) {
 *   System.out.println(in.className() + " " + in.score() + " " + in.box());
 *   String counts = in.rleCounts();            // COCO compressed RLE
 * }
 * }</pre>
 */
public final class Instance {

  private final BoxXyxy box;
  private final int label;
  private final String className;
  private final float score;
  private final float[] mask;
  private final int maskSide;
  private final int imageHeight;
  private final int imageWidth;
  private volatile BitMask fullMask;
  private volatile Rle rle;

  /**
   * An instance.
   *
   * @param box the box in image pixels
   * @param label the class index (0 is background)
   * @param className the class name
   * @param score the confidence
   * @param mask {@code maskSide²} probabilities, row-major, in box coordinates (copied)
   * @param maskSide the mask's side (28 for Mask R-CNN)
   * @param imageHeight height of the image the box refers to
   * @param imageWidth width of the image the box refers to
   */
  public Instance(BoxXyxy box, int label, String className, float score, float[] mask, int maskSide,
      int imageHeight, int imageWidth) {
    if (mask.length != maskSide * maskSide) {
      throw new IllegalArgumentException("mask needs " + maskSide * maskSide + " values, got " + mask.length);
    }
    if (imageHeight < 1 || imageWidth < 1) {
      throw new IllegalArgumentException("image size must be positive, got " + imageWidth + "x" + imageHeight);
    }
    this.box = box;
    this.label = label;
    this.className = className;
    this.score = score;
    this.mask = mask.clone();
    this.maskSide = maskSide;
    this.imageHeight = imageHeight;
    this.imageWidth = imageWidth;
  }

  /** The box, xyxy in image pixels. */
  public BoxXyxy box() {
    return box;
  }

  /** The class index (index into the model's class names; 0 is background). */
  public int label() {
    return label;
  }

  /** The class name from the model's metadata. */
  public String className() {
    return className;
  }

  /** The confidence. */
  public float score() {
    return score;
  }

  /** The side of {@link #mask28()} (28 for Mask R-CNN). */
  public int maskSide() {
    return maskSide;
  }

  /** A copy of the mask probabilities in box coordinates, {@code maskSide²} row-major. */
  public float[] mask28() {
    return mask.clone();
  }

  /** The height of the image. */
  public int imageHeight() {
    return imageHeight;
  }

  /** The width of the image. */
  public int imageWidth() {
    return imageWidth;
  }

  /** The mask pasted into the image and thresholded at 0.5, computed once. */
  public BitMask fullMask() {
    BitMask m = fullMask;
    if (m == null) {
      // Two threads may both paste; the results are identical, so the race is harmless.
      float[] probs = MaskPaster.paste(mask, maskSide, box.toArray(), imageHeight, imageWidth);
      m = new BitMask(imageWidth, imageHeight, MaskPaster.binarize(probs, MaskPaster.THRESHOLD));
      fullMask = m;
    }
    return m;
  }

  /** The full mask as COCO run-length encoding, computed once. */
  public Rle rle() {
    Rle r = rle;
    if (r == null) {
      r = MaskApi.encode(fullMask().toColumnMajor(), imageHeight, imageWidth);
      rle = r;
    }
    return r;
  }

  /** The full mask as COCO compressed RLE counts (the string pycocotools writes). */
  public String rleCounts() {
    return MaskApi.toCompressedString(rle());
  }

  @Override
  public String toString() {
    return "Instance[" + className + " (" + label + "), score=" + score + ", box=" + box + "]";
  }
}
