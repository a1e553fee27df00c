package dev.lowlight.data.loading;

import java.util.List;

/**
 * A training batch: images normalised with the model's mean and standard deviation, resized,
 * zero-padded (after normalisation, as torchvision pads) to a common size that is a multiple of
 * the size divisor, stacked {@code N×3×H×W}; and each image's targets.
 *
 * @param images {@code size·3·paddedHeight·paddedWidth} values
 * @param paddedHeight common height
 * @param paddedWidth common width
 * @param targets one per image, in batch order
 * @param position the number of batches returned by the source up to and including this one, for
 *     exact resume ({@link BatchSource#seek})
 */
public record Batch(float[] images, int paddedHeight, int paddedWidth, List<TrainingTarget> targets, long position) {

  public Batch {
    targets = List.copyOf(targets);
    if (images.length != (long) targets.size() * 3 * paddedHeight * paddedWidth) {
      throw new IllegalArgumentException("batch of " + targets.size() + " images of " + paddedHeight + "x" + paddedWidth
          + " needs " + (long) targets.size() * 3 * paddedHeight * paddedWidth + " values, got " + images.length);
    }
  }

  /** Number of images. */
  public int size() {
    return targets.size();
  }
}
