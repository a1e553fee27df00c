package dev.lowlight.data.loading;

import java.nio.file.Path;

/**
 * Something the loader left out of training, with the reason it was logged with.
 *
 * @param file the image file
 * @param imageId the COCO image id
 * @param annotationId the annotation left out, or {@link #WHOLE_IMAGE} when the whole image was
 * @param reason why, in words
 */
public record Skipped(Path file, long imageId, long annotationId, String reason) {

  /** {@link #annotationId()} of an entry that leaves out a whole image. */
  public static final long WHOLE_IMAGE = -1;

  /** Whether the whole image was left out (not only one of its annotations). */
  public boolean wholeImage() {
    return annotationId == WHOLE_IMAGE;
  }

  @Override
  public String toString() {
    return wholeImage()
        ? "image " + imageId + " (" + file + "): " + reason
        : "annotation " + annotationId + " of image " + imageId + " (" + file + "): " + reason;
  }
}
