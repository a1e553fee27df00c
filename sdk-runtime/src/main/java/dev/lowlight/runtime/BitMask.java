package dev.lowlight.runtime;

/**
 * A binary mask over the whole image, row-major: pixel {@code (y, x)} at {@code y * width + x}.
 *
 * @param width image width
 * @param height image height
 * @param pixels {@code width * height} values, {@code true} inside the instance
 */
public record BitMask(int width, int height, boolean[] pixels) {

  /** Checks the size. */
  public BitMask {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("mask size must be positive, got " + width + "x" + height);
    }
    if (pixels.length != (long) width * height) {
      throw new IllegalArgumentException("mask of " + width + "x" + height + " needs " + (long) width * height
          + " values, got " + pixels.length);
    }
  }

  /** Equal when the sizes and every pixel are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof BitMask m && m.width == width && m.height == height
        && java.util.Arrays.equals(m.pixels, pixels);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + java.util.Arrays.hashCode(pixels);
  }

  @Override
  public String toString() {
    return "BitMask[" + width + "x" + height + ", area=" + area() + "]";
  }

  /** Whether pixel {@code (y, x)} is set. */
  public boolean get(int y, int x) {
    return pixels[y * width + x];
  }

  /** The number of set pixels. */
  public long area() {
    long n = 0;
    for (boolean p : pixels) {
      if (p) {
        n++;
      }
    }
    return n;
  }

  /** The mask in column-major bytes (0/1), the layout COCO's mask API encodes. */
  public byte[] toColumnMajor() {
    byte[] out = new byte[pixels.length];
    for (int y = 0; y < height; y++) {
      int row = y * width;
      for (int x = 0; x < width; x++) {
        if (pixels[row + x]) {
          out[x * height + y] = 1;
        }
      }
    }
    return out;
  }

  /** The mask from column-major bytes, non-zero meaning set (what {@code MaskApi.decode} gives). */
  public static BitMask fromColumnMajor(byte[] columnMajor, int height, int width) {
    if (columnMajor.length != (long) width * height) {
      throw new IllegalArgumentException("mask of " + width + "x" + height + " needs " + (long) width * height
          + " values, got " + columnMajor.length);
    }
    boolean[] p = new boolean[columnMajor.length];
    for (int x = 0; x < width; x++) {
      int col = x * height;
      for (int y = 0; y < height; y++) {
        p[y * width + x] = columnMajor[col + y] != 0;
      }
    }
    return new BitMask(width, height, p);
  }
}
