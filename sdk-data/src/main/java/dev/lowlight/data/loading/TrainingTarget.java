package dev.lowlight.data.loading;

import java.util.List;

/**
 * The ground truth of one image of a batch, in the pixels of the resized (unpadded) image.
 *
 * @param imageId the COCO image id
 * @param fileName the image file, for messages
 * @param originalHeight height of the image file
 * @param originalWidth width of the image file
 * @param height height after resizing (before padding)
 * @param width width after resizing (before padding)
 * @param flipped whether the image was mirrored left-right
 * @param boxes {@code 4·G} values, xyxy in resized pixels
 * @param labels {@code G} contiguous class indices in {@code 1..numClasses-1}
 * @param masks {@code G} binary masks, each {@code height × width} row-major, 1 inside
 */
public record TrainingTarget(long imageId, String fileName, int originalHeight, int originalWidth, int height,
    int width, boolean flipped, float[] boxes, int[] labels, List<byte[]> masks) {

  public TrainingTarget {
    int g = labels.length;
    if (boxes.length != 4 * g || masks.size() != g) {
      throw new IllegalArgumentException("image " + imageId + ": " + g + " labels but " + boxes.length / 4 + " boxes and "
          + masks.size() + " masks");
    }
    for (byte[] m : masks) {
      if (m.length != height * width) {
        throw new IllegalArgumentException("image " + imageId + ": mask of " + m.length + " pixels for a " + height
            + "x" + width + " image");
      }
    }
    masks = List.copyOf(masks);
  }

  /** Number of instances. */
  public int size() {
    return labels.length;
  }
}
