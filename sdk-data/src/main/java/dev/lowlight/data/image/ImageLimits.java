package dev.lowlight.data.image;

import java.nio.file.Path;
import java.util.Locale;

/**
 * What an encoded image may cost before it is decoded: its header is read first, and an image whose
 * declared width times height exceeds {@link #maxPixels()} is refused, so a 1 MB PNG that claims
 * 20000x20000 pixels costs nothing instead of 1.6 GB of floats. The data is also checked for
 * truncation and corruption ({@link ImageIntegrity}): decoders fill what is missing with grey or
 * garbage and say nothing.
 *
 * <p>Every decode path calls {@link #checkBeforeDecode}; masks of that size are refused the same
 * way ({@link #checkPixels}). The limit is {@value #DEFAULT_MAX_PIXELS} pixels (64 megapixels: COCO,
 * 4K and 8K photos pass), or the system property {@value #PROPERTY}.
 *
 * <pre>{@code
 * ImageHeader h = ImageLimits.checkBeforeDecode(bytes, Path.of("photo.jpg"));   // then decode
 * }</pre>
 */
public final class ImageLimits {

  /** The default limit on width times height. */
  public static final long DEFAULT_MAX_PIXELS = 64_000_000L;

  /** System property overriding the limit ({@code -Dlowlight.image.maxPixels=200000000}). */
  public static final String PROPERTY = "lowlight.image.maxPixels";

  private ImageLimits() {}

  /** The largest width times height an image or mask may have. */
  public static long maxPixels() {
    String v = System.getProperty(PROPERTY);
    if (v == null || v.isBlank()) {
      return DEFAULT_MAX_PIXELS;
    }
    try {
      long n = Long.parseLong(v.strip().replace("_", ""));
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + PROPERTY + "=" + v + " is not a positive number of pixels");
    }
  }

  /**
   * Reads the header of {@code data}, refuses it when its size exceeds {@link #maxPixels()} and
   * checks that the data is complete and intact, all before anything is decoded.
   *
   * @param source named in messages (the file, or a name for bytes held in memory)
   * @throws ImageReadException naming {@code source} when the image is empty, of an unknown
   *     format, too large, truncated or corrupt
   */
  public static ImageHeader checkBeforeDecode(byte[] data, Path source) {
    return checkBeforeDecode(data, String.valueOf(source));
  }

  /**
   * {@link #checkBeforeDecode(byte[], Path)} for bytes that came from elsewhere than a local file
   * (an object store's URI, a row of a distributed dataset), named {@code source} as given.
   */
  public static ImageHeader checkBeforeDecode(byte[] data, String source) {
    ImageHeader header = ImageHeader.read(data, source);
    if (header.width() < 1 || header.height() < 1) {
      throw new ImageReadException(source, "zero-size image " + header.width() + "x" + header.height());
    }
    String problem = overLimit(header.width(), header.height());
    if (problem != null) {
      throw new ImageReadException(source, "a " + header.format() + " of " + problem);
    }
    ImageIntegrity.check(data, header, source);
    return header;
  }

  /**
   * Refuses a mask (or any raster) of {@code height} x {@code width} over the limit.
   *
   * @param what named in the message ({@code "mask"})
   * @throws IllegalArgumentException saying the size and the limit
   */
  public static void checkPixels(long height, long width, String what) {
    String problem = overLimit(width, height);
    if (problem != null) {
      throw new IllegalArgumentException(what + " of " + problem);
    }
  }

  /** {@code 20000x20000 = 400.0 megapixels, over the limit of ...}, or null within the limit. */
  private static String overLimit(long width, long height) {
    long max = maxPixels();
    if (width <= max && height <= max && width * height <= max) {
      return null;
    }
    return String.format(Locale.ROOT, "%dx%d = %.1f megapixels is over the limit of %.1f megapixels (decoding it would"
        + " take %.1f GB; raise the limit with -D%s=N if it is meant)", width, height, width * (double) height / 1e6,
        max / 1e6, width * (double) height * 12 / 1e9, PROPERTY);
  }
}
