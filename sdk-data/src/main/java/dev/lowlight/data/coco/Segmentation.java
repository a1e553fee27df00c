package dev.lowlight.data.coco;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An instance's mask as a COCO file stores it: polygons, an uncompressed run-length encoding
 * ({@code {"size":[h,w],"counts":[ints]}}) or a compressed one ({@code "counts"} a string).
 *
 * <p>Run-length counts are column-major runs that start with zeros, as in pycocotools. Use {@link
 * MaskApi#toRle(Segmentation, int, int)} to turn any of them into an {@link Rle}.
 */
public sealed interface Segmentation
    permits Segmentation.Polygons, Segmentation.UncompressedRle, Segmentation.CompressedRle {

  /**
   * One or more polygons, each {@code [x0, y0, x1, y1, ...]} in pixel coordinates (pixel centres
   * at integer + 0.5 offsets follow COCO's convention, rasterised by {@link
   * MaskApi#fromPolygon(double[], int, int)}).
   *
   * <p>Coordinates are kept in {@code double}: pycocotools rasterises the JSON doubles, and a
   * {@code float} copy rounds some of them (1.3 for instance) across the rasteriser's half-pixel
   * boundaries, which changes masks.
   *
   * @param polygons the parts of the object; each array has an even length of at least 4
   */
  record Polygons(List<double[]> polygons) implements Segmentation {

    /** Copies the list (not the arrays) and checks that every part has whole points. */
    public Polygons {
      polygons = List.copyOf(polygons);
      for (int i = 0; i < polygons.size(); i++) {
        double[] p = polygons.get(i);
        if (p.length < 4 || p.length % 2 != 0) {
          throw new IllegalArgumentException("polygon " + i
              + " must have an even number of at least 4 coordinates, got " + p.length);
        }
      }
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Polygons other) || other.polygons.size() != polygons.size()) {
        return false;
      }
      for (int i = 0; i < polygons.size(); i++) {
        if (!Arrays.equals(polygons.get(i), other.polygons.get(i))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      int h = 1;
      for (double[] p : polygons) {
        h = 31 * h + Arrays.hashCode(p);
      }
      return h;
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder("Polygons[");
      for (int i = 0; i < polygons.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(Arrays.toString(polygons.get(i)));
      }
      return sb.append(']').toString();
    }
  }

  /**
   * Uncompressed RLE, as COCO stores crowd regions.
   *
   * @param height mask height
   * @param width mask width
   * @param counts run lengths, zeros first; they sum to {@code height * width}
   */
  record UncompressedRle(int height, int width, int[] counts) implements Segmentation {

    /** Checks the size (the counts are checked where they are decoded, by {@link Rle}). */
    public UncompressedRle {
      Rle.checkSize(height, width);
      Objects.requireNonNull(counts, "counts");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof UncompressedRle r && r.height == height && r.width == width
          && Arrays.equals(r.counts, counts);
    }

    @Override
    public int hashCode() {
      return (height * 31 + width) * 31 + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
      return "UncompressedRle[size=[" + height + ", " + width + "], counts="
          + Arrays.toString(counts) + "]";
    }
  }

  /**
   * Compressed RLE: the counts in pycocotools' 6-bit character encoding.
   *
   * @param height mask height
   * @param width mask width
   * @param counts the encoded counts (characters 48 to 111)
   */
  record CompressedRle(int height, int width, String counts) implements Segmentation {

    /** Checks the size and that counts is present. */
    public CompressedRle {
      Rle.checkSize(height, width);
      Objects.requireNonNull(counts, "counts");
    }
  }
}
