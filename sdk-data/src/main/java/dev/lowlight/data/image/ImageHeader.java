package dev.lowlight.data.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The format and size an encoded image declares, read from its first bytes without decoding it:
 * PNG, JPEG, GIF, BMP and WebP directly; other formats (TIFF) through an ImageIO reader's header.
 *
 * @param format {@code PNG}, {@code JPEG}, {@code GIF}, {@code BMP}, {@code WebP} or ImageIO's name
 * @param width declared width in pixels
 * @param height declared height in pixels
 * @param offset for JPEG, where its frame header starts; 0 otherwise
 */
public record ImageHeader(String format, long width, long height, int offset) {

  /**
   * Reads the header of {@code data}.
   *
   * @throws ImageReadException naming {@code source} when the data is empty, too short for its
   *     header, or of no known image format
   */
  public static ImageHeader read(byte[] data, String source) {
    if (data.length == 0) {
      throw new ImageReadException(source, "the file is empty");
    }
    if (starts(data, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
      need(data, 24, source, "PNG");
      return new ImageHeader("PNG", u32be(data, 16), u32be(data, 20), 0);
    }
    if (starts(data, 0xFF, 0xD8)) {
      return jpeg(data, source);
    }
    if (starts(data, 'G', 'I', 'F', '8')) {
      need(data, 10, source, "GIF");
      return new ImageHeader("GIF", u16le(data, 6), u16le(data, 8), 0);
    }
    if (starts(data, 'B', 'M')) {
      need(data, 26, source, "BMP");
      return new ImageHeader("BMP", Math.abs((long) s32le(data, 18)), Math.abs((long) s32le(data, 22)), 0);
    }
    if (starts(data, 'R', 'I', 'F', 'F') && data.length >= 12 && data[8] == 'W' && data[9] == 'E' && data[10] == 'B'
        && data[11] == 'P') {
      return webp(data, source);
    }
    return imageIo(data, source);
  }

  /** The first start-of-frame segment's size; the markers before it are walked by their lengths. */
  private static ImageHeader jpeg(byte[] d, String source) {
    int p = 2;
    while (p + 4 <= d.length) {
      if ((d[p] & 0xFF) != 0xFF) {
        throw new ImageReadException(source, "corrupt JPEG: no marker at byte " + p + " of its header");
      }
      int m = d[p + 1] & 0xFF;
      if (m == 0xFF) {
        p++;
        continue;
      }
      int len = u16be(d, p + 2);
      if (isFrame(m)) {
        need(d, p + 9, source, "JPEG");
        return new ImageHeader("JPEG", u16be(d, p + 7), u16be(d, p + 5), p);
      }
      if (m == 0xDA || m == 0xD9 || len < 2) {
        throw new ImageReadException(source, "corrupt JPEG: image data before any frame header");
      }
      p += 2 + len;
    }
    throw new ImageReadException(source, "truncated JPEG: the file ends inside its header, before the frame size");
  }

  /** Whether marker {@code m} starts a frame (SOF0..SOF15, not DHT, JPG or DAC). */
  static boolean isFrame(int m) {
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
  }

  private static ImageHeader webp(byte[] d, String source) {
    need(d, 30, source, "WebP");
    String chunk = new String(d, 12, 4, java.nio.charset.StandardCharsets.US_ASCII);
    switch (chunk) {
      case "VP8X":
        return new ImageHeader("WebP", 1 + u24le(d, 24), 1 + u24le(d, 27), 0);
      case "VP8L": {
        long bits = u32le(d, 21);
        return new ImageHeader("WebP", 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF), 0);
      }
      case "VP8 ":
        return new ImageHeader("WebP", u16le(d, 26) & 0x3FFF, u16le(d, 28) & 0x3FFF, 0);
      default:
        throw new ImageReadException(source, "a WebP file with an unknown first chunk '" + chunk + "'");
    }
  }

  /** Another format ImageIO knows (TIFF): its reader reads the header only. */
  private static ImageHeader imageIo(byte[] data, String source) {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        throw new ImageReadException(source, "not an image in a supported format (PNG, JPEG, BMP, GIF, WebP, TIFF)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        return new ImageHeader(reader.getFormatName().toUpperCase(java.util.Locale.ROOT), reader.getWidth(0),
            reader.getHeight(0), 0);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ImageReadException ire) {
        throw ire;
      }
      throw new ImageReadException(source, "corrupt or truncated image header (" + e.getMessage() + ")", e);
    }
  }

  private static void need(byte[] d, int n, String source, String format) {
    if (d.length < n) {
      throw new ImageReadException(source, "truncated " + format + ": " + d.length + " bytes is shorter than its header");
    }
  }

  private static boolean starts(byte[] d, int... prefix) {
    if (d.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((d[i] & 0xFF) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  static int u16be(byte[] d, int p) {
    return (d[p] & 0xFF) << 8 | (d[p + 1] & 0xFF);
  }

  static long u32be(byte[] d, int p) {
    return (long) u16be(d, p) << 16 | u16be(d, p + 2);
  }

  private static int u16le(byte[] d, int p) {
    return (d[p] & 0xFF) | (d[p + 1] & 0xFF) << 8;
  }

  private static long u24le(byte[] d, int p) {
    return (d[p] & 0xFF) | (d[p + 1] & 0xFF) << 8 | (long) (d[p + 2] & 0xFF) << 16;
  }

  static long u32le(byte[] d, int p) {
    return u16le(d, p) | (long) u16le(d, p + 2) << 16;
  }

  private static int s32le(byte[] d, int p) {
    return (int) u32le(d, p);
  }
}
