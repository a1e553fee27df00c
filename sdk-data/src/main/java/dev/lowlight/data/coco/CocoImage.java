package dev.lowlight.data.coco;

import java.util.Objects;

/**
 * One entry of a COCO file's {@code images} list.
 *
 * @param id the image id annotations refer to
 * @param fileName the file name, relative to the image folder
 * @param width width in pixels, at least 1
 * @param height height in pixels, at least 1
 */
public record CocoImage(long id, String fileName, int width, int height) {

  /** Checks the fields. */
  public CocoImage {
    Objects.requireNonNull(fileName, "fileName");
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "image " + id + ": width and height must be at least 1, got " + width + "x" + height);
    }
  }
}
