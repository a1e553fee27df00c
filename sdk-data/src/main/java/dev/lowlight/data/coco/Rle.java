package dev.lowlight.data.coco;

import java.util.Arrays;
import java.util.Objects;

/**
 * A binary mask as run lengths, the way pycocotools holds it in memory: the mask is read in
 * column-major order (down the first column, then the next), and {@code counts} alternates runs
 * of zeros and ones, starting with zeros (a mask whose first pixel is set starts with a 0 run).
 *
 * <p>The constructor checks what pycocotools takes on trust: no negative run, and runs that add up
 * to exactly {@code height * width}. Sizes are limited to {@link #MAX_PIXELS} pixels so that
 * counts fit an {@code int}.
 *
 * @param height mask height
 * @param width mask width
 * @param counts run lengths (the array is not copied; do not modify it)
 */
public record Rle(int height, int width, int[] counts) {

  /** The largest {@code height * width} accepted, so that every run and area fits an int. */
  public static final long MAX_PIXELS = Integer.MAX_VALUE;

  /** Checks size and counts. */
  public Rle {
    checkSize(height, width);
    Objects.requireNonNull(counts, "counts");
    long sum = 0;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] < 0) {
        throw new IllegalArgumentException("RLE count " + i + " is negative: " + counts[i]);
      }
      sum += counts[i];
    }
    if (sum != (long) height * width) {
      throw new IllegalArgumentException("RLE counts sum to " + sum + " but size [" + height
          + ", " + width + "] has " + (long) height * width + " pixels");
    }
  }

  /**
   * Checks a declared mask size before anything is allocated for it.
   *
   * @param height mask height
   * @param width mask width
   * @throws IllegalArgumentException when a side is negative or the pixel count exceeds {@link
   *     #MAX_PIXELS}
   */
  public static void checkSize(long height, long width) {
    if (height < 0 || width < 0) {
      throw new IllegalArgumentException(
          "mask size [" + height + ", " + width + "] has a negative side");
    }
    if (height * width > MAX_PIXELS || height > MAX_PIXELS || width > MAX_PIXELS) {
      throw new IllegalArgumentException("mask size [" + height + ", " + width
          + "] exceeds " + MAX_PIXELS + " pixels");
    }
  }

  /** The number of set pixels (the sum of the odd-indexed runs). */
  public long area() {
    return MaskApi.area(this);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Rle r && r.height == height && r.width == width
        && Arrays.equals(r.counts, counts);
  }

  @Override
  public int hashCode() {
    return (height * 31 + width) * 31 + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    return "Rle[size=[" + height + ", " + width + "], runs=" + counts.length + ", counts="
        + MaskApi.toCompressedString(this) + "]";
  }
}
